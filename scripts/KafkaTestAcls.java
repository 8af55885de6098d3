// KafkaTestAcls creates ACLs on a test cluster with Kafka's Admin client; the
// broker's jars hold no ACL command line tool any more. scripts/kafka compiles
// it with javac against the cluster's Kafka version and runs it once, when
// the cluster is made.
//
// Usage: KafkaTestAcls BOOTSTRAP (PERMISSION PRINCIPAL RESOURCE PATTERN NAME OPERATION)...
// for example: KafkaTestAcls 127.0.0.1:9092 DENY User:alice TOPIC PREFIXED secret- ALL
// (names as in org.apache.kafka.common.acl and org.apache.kafka.common.resource).
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

public class KafkaTestAcls {
    public static void main(String[] args) throws Exception {
        if (args.length < 7 || (args.length - 1) % 6 != 0) {
            System.err.println("usage: KafkaTestAcls BOOTSTRAP (PERMISSION PRINCIPAL RESOURCE PATTERN NAME OPERATION)...");
            System.exit(2);
        }
        List<AclBinding> acls = new ArrayList<>();
        for (int i = 1; i < args.length; i += 6) {
            ResourcePattern resource = new ResourcePattern(
                    ResourceType.fromString(args[i + 2]), args[i + 4], PatternType.fromString(args[i + 3]));
            AccessControlEntry entry = new AccessControlEntry(
                    args[i + 1], "*", AclOperation.fromString(args[i + 5]), AclPermissionType.fromString(args[i]));
            acls.add(new AclBinding(resource, entry));
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        try (Admin admin = Admin.create(props)) {
            admin.createAcls(acls).all().get(60, TimeUnit.SECONDS);
        }
        for (AclBinding acl : acls) {
            System.out.println("created " + acl);
        }
    }
}
