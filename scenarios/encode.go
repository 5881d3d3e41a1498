package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/p53evo/p53evo/internal/strictyaml"
)

// Marshal checks s and prints it fully resolved (every default filled in:
// see Fill) as YAML. Load of the output gives back Fill(s).
func Marshal(s *Scenario) ([]byte, error) {
	f, err := Fill(s)
	if err != nil {
		return nil, err
	}
	return marshalValue(f), nil
}

// marshalValue prints a scenario as is (no filling).
func marshalValue(s *Scenario) []byte {
	var b strings.Builder
	emitStruct(&b, reflect.ValueOf(s).Elem(), 0)
	return []byte(b.String())
}

// emitStruct writes a struct's fields in block style at the given indent.
func emitStruct(b *strings.Builder, v reflect.Value, indent int) {
	pad := strings.Repeat("  ", indent)
	for _, f := range strictyaml.Fields(v.Type()) {
		fv := v.Field(f.Index)
		if f.OmitEmpty && isEmpty(fv) {
			continue
		}
		for fv.Kind() == reflect.Pointer && !fv.IsNil() && fv.Type() != reflect.TypeFor[*Catalog]() {
			fv = fv.Elem()
		}
		fmt.Fprintf(b, "%s%s:", pad, f.Name)
		switch {
		case flowable(fv):
			b.WriteByte(' ')
			emitFlow(b, fv)
			b.WriteByte('\n')
		case fv.Kind() == reflect.Struct:
			b.WriteByte('\n')
			emitStruct(b, fv, indent+1)
		default: // a list of flowable items, or the catalog
			items := fv
			if fv.Type() == reflect.TypeFor[*Catalog]() {
				items = fv.Elem().FieldByName("Entries")
			}
			b.WriteByte('\n')
			for i := range items.Len() {
				fmt.Fprintf(b, "%s  - ", pad)
				emitFlow(b, items.Index(i))
				b.WriteByte('\n')
			}
		}
	}
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	}
	return v.IsZero()
}

// flowable says whether v prints on one line: a scalar, a map, a struct of
// scalars and maps, or an empty list.
func flowable(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type() == reflect.TypeFor[*Catalog]() {
			return v.IsNil() || v.Elem().FieldByName("Default").Bool() || v.Elem().FieldByName("Entries").Len() == 0
		}
		return v.IsNil() || flowable(v.Elem())
	case reflect.Slice:
		return v.Len() == 0
	case reflect.Map:
		return true
	case reflect.Struct:
		for _, f := range strictyaml.Fields(v.Type()) {
			fv := v.Field(f.Index)
			if fv.Kind() == reflect.Pointer && !fv.IsNil() {
				fv = fv.Elem()
			}
			if fv.Kind() == reflect.Struct || (fv.Kind() == reflect.Slice && fv.Len() > 0) || fv.Kind() == reflect.Pointer && !fv.IsNil() {
				return false
			}
		}
		return true
	}
	return true
}

// index is a phase index that prints plain and reads back the same.
var index = regexp.MustCompile(`^(0|[1-9][0-9]{0,17})$`)

// emitFlow writes v in flow style.
func emitFlow(b *strings.Builder, v reflect.Value) {
	switch t := v.Type(); {
	case t == untilType && v.FieldByName("Word").String() != "":
		b.WriteString(quote(v.FieldByName("Word").String()))
		return
	case t == periodType && v.Float() == 0:
		b.WriteString("off")
		return
	case t == phaseRefType && index.MatchString(v.String()):
		b.WriteString(v.String()) // an index
		return
	case t == momentType && strictyaml.LooksNumeric(v.String()):
		b.WriteString(v.String()) // days
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("null")
			return
		}
		if v.Type() == reflect.TypeFor[*Catalog]() {
			c := v.Interface().(*Catalog)
			if c.Default {
				b.WriteString("default")
				return
			}
			emitFlow(b, reflect.ValueOf(c.Entries))
			return
		}
		emitFlow(b, v.Elem())
	case reflect.Struct:
		emitFlowStruct(b, v)
	case reflect.Slice:
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteString(", ")
			}
			emitFlow(b, v.Index(i))
		}
		b.WriteByte(']')
	case reflect.Map:
		emitFlowMap(b, v)
	case reflect.String:
		b.WriteString(quote(v.String()))
	case reflect.Float64:
		b.WriteString(formatFloat(v.Float()))
	case reflect.Int, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint64:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	default:
		panic("scenarios: cannot print " + v.Type().String())
	}
}

// emitFlowStruct prints a struct as a flow mapping, leaving out empty
// omitempty fields and nil pointers.
func emitFlowStruct(b *strings.Builder, v reflect.Value) {
	b.WriteByte('{')
	first := true
	for _, f := range strictyaml.Fields(v.Type()) {
		fv := v.Field(f.Index)
		if (f.OmitEmpty || fv.Kind() == reflect.Pointer) && isEmpty(fv) {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(f.Name)
		b.WriteString(": ")
		emitFlow(b, fv)
	}
	b.WriteByte('}')
}

// emitFlowMap prints a map as a flow mapping with sorted keys.
func emitFlowMap(b *strings.Builder, v reflect.Value) {
	keys := make([]string, 0, v.Len())
	for _, k := range v.MapKeys() {
		keys = append(keys, k.String())
	}
	sort.Strings(keys)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(k))
		b.WriteString(": ")
		emitFlow(b, v.MapIndex(reflect.ValueOf(k)))
	}
	b.WriteByte('}')
}

// formatFloat prints the shortest text that reads back exactly: 2000,
// 0.14, 1e9, 1e-9.
func formatFloat(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return ".inf"
	case math.IsInf(x, -1):
		return "-.inf"
	case math.IsNaN(x):
		return ".nan"
	}
	s := strconv.FormatFloat(x, 'g', -1, 64)
	if m, e, ok := strings.Cut(s, "e"); ok {
		neg := strings.HasPrefix(e, "-")
		e = strings.TrimLeft(e, "+-")
		e = strings.TrimLeft(e, "0")
		if neg {
			e = "-" + e
		}
		s = m + "e" + e
	}
	return s
}

var plainString = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.*>/()-]*$`)

// reserved words that a YAML reader may take for something else than a string.
var reserved = map[string]bool{"true": true, "false": true, "yes": true, "no": true, "on": true, "off": true, "y": true, "n": true, "null": true}

// quote prints a string plain when that reads back as the same string,
// otherwise double-quoted with YAML escapes.
func quote(s string) string {
	if plainString.MatchString(s) && !reserved[strings.ToLower(s)] && !strictyaml.LooksNumeric(s) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i, w := 0, 0; i < len(s); i += w {
		r, n := utf8.DecodeRuneInString(s[i:])
		w = n
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsPrint(r) || r == ' ':
			b.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
