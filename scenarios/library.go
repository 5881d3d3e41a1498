package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

//go:embed library/*.yaml
var libraryFS embed.FS

// DefaultName is the library scenario used when none is given.
const DefaultName = "rezatapopt-continuous"

// Info describes a library scenario.
type Info struct {
	Name        string
	Description string
}

// Names lists the library scenarios, sorted.
func Names() []string {
	ents, err := fs.ReadDir(libraryFS, "library")
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	var out []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// List describes every library scenario, sorted by name.
func List() []Info {
	var out []Info
	for _, n := range Names() {
		info := Info{Name: n}
		if s, err := openLibrary(n); err == nil {
			info.Description = s.Description
		}
		out = append(out, info)
	}
	return out
}

// Get returns the YAML text of a library scenario.
func Get(name string) ([]byte, error) {
	names := Names()
	if !slices.Contains(names, name) {
		return nil, fmt.Errorf("no library scenario %q%s; available: %s", name, suggest(name, names), list(names))
	}
	return libraryFS.ReadFile(path.Join("library", name+".yaml"))
}

func openLibrary(name string) (*Scenario, error) {
	data, err := Get(name)
	if err != nil {
		return nil, err
	}
	return Load("library/"+name+".yaml", data)
}

// Open loads a library scenario by name, or else a scenario file by path.
func Open(nameOrPath string) (*Scenario, error) {
	if slices.Contains(Names(), nameOrPath) {
		return openLibrary(nameOrPath)
	}
	s, err := LoadFile(nameOrPath)
	if err != nil && os.IsNotExist(err) {
		names := Names()
		return nil, fmt.Errorf("%q is neither a library scenario%s (available: %s) nor an existing file", nameOrPath, suggest(nameOrPath, names), list(names))
	}
	return s, err
}
