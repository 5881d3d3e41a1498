// Command p53evo simulates how Y220C tumours become resistant to
// p53-reactivating drugs. It is a thin shell over the p53evo packages.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "p53evo: not yet wired")
	os.Exit(2)
}
