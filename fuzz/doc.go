// Package fuzz holds the fuzz targets of every decoder in wire/ and their
// seed corpora (testdata/fuzz). `make test` runs the seeds; `make fuzz` runs
// each target for a fixed budget.
package fuzz
