module github.com/p53evo/p53evo

go 1.26.8

require (
	github.com/apache/arrow-go/v18 v18.8.0 // indirect
	github.com/goccy/go-yaml v1.19.2 // indirect
	github.com/urfave/cli/v3 v3.14.0 // indirect
	gonum.org/v1/gonum v0.17.0 // indirect
)
