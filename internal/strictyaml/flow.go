package strictyaml

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// Flow is any YAML value kept as one line of YAML text: scalars as written
// (quoted ones quoted), collections in flow style with aliases and merge
// keys expanded. A null is "null". It holds a value that another decoder
// reads later, such as the value of a scenario field named by a path.
type Flow string

// flow renders n (resolved) as one line of YAML.
func (d *Decoder) flow(n ast.Node, path string) (string, bool) {
	switch m := n.(type) {
	case nil:
		return "null", true
	case *ast.SequenceNode:
		parts := make([]string, 0, len(m.Values))
		for i, v := range m.Values {
			t, ok := d.flowValue(v, JoinIndex(path, i))
			if !ok {
				return "", false
			}
			parts = append(parts, t)
		}
		return "[" + strings.Join(parts, ", ") + "]", true
	case *ast.MappingNode, *ast.MappingValueNode:
		ps, _ := d.Pairs(m, path)
		var keys, vals []string
		at := map[string]int{}
		for _, p := range ps {
			key, ok := d.KeyText(p, path)
			if !ok {
				return "", false
			}
			t, ok := d.flowValue(p.Value, JoinKey(path, key))
			if !ok {
				return "", false
			}
			if i, ok := at[key]; ok {
				vals[i] = t // a key of the mapping overrides a merged one
				continue
			}
			at[key] = len(keys)
			keys, vals = append(keys, key), append(vals, t)
		}
		parts := make([]string, len(keys))
		for i := range keys {
			parts[i] = quoteKey(keys[i]) + ": " + vals[i]
		}
		return "{" + strings.Join(parts, ", ") + "}", true
	case *ast.NullNode:
		return "null", true
	case *ast.StringNode:
		if m.Token != nil && (m.Token.Type == token.DoubleQuoteType || m.Token.Type == token.SingleQuoteType) {
			return strconv.Quote(m.Value), true
		}
		return m.Value, true
	case *ast.LiteralNode:
		if m.Value != nil {
			return strconv.Quote(m.Value.Value), true
		}
	case ast.ScalarNode:
		if tk := m.GetToken(); tk != nil {
			return tk.Value, true
		}
	}
	d.Fail(n, path, "unsupported value %s", Describe(n))
	return "", false
}

// flowValue resolves n and renders it.
func (d *Decoder) flowValue(n ast.Node, path string) (string, bool) {
	var s Flow
	if !d.Decode(n, reflect.ValueOf(&s).Elem(), path, true) {
		return "", false
	}
	return string(s), true
}

func quoteKey(k string) string {
	if strings.ContainsAny(k, "[]{},:#&*!|>'\"%@`") || k != strings.TrimSpace(k) {
		return strconv.Quote(k)
	}
	return k
}
