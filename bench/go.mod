module github.com/zeroalloc/kafka/bench

go 1.26

replace github.com/zeroalloc/kafka => ../
