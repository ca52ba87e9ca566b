package celtext

import (
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/ext"
)

// MaxValue bounds a rendered value, in characters: the page shows it beside a
// sub-expression, and a certificate's PEM or a long SAN list must not flood the
// explanation.
const MaxValue = 200

// Type names a CEL type as a rule author writes it: "list(string)",
// "timestamp", "certinfo.Name".
func Type(t *types.Type) string {
	if t == nil {
		return "dyn"
	}
	switch t.Kind() {
	case types.BoolKind:
		return "bool"
	case types.IntKind:
		return "int"
	case types.UintKind:
		return "uint"
	case types.DoubleKind:
		return "double"
	case types.StringKind:
		return "string"
	case types.BytesKind:
		return "bytes"
	case types.TimestampKind:
		return "timestamp"
	case types.DurationKind:
		return "duration"
	case types.NullTypeKind:
		return "null_type"
	case types.DynKind, types.TypeParamKind, types.AnyKind:
		return "dyn"
	case types.ErrorKind:
		return "error"
	case types.ListKind:
		if p := t.Parameters(); len(p) == 1 {
			return "list(" + Type(p[0]) + ")"
		}
		return "list(dyn)"
	case types.MapKind:
		if p := t.Parameters(); len(p) == 2 {
			return "map(" + Type(p[0]) + ", " + Type(p[1]) + ")"
		}
		return "map(dyn, dyn)"
	case types.TypeKind:
		return "type"
	}
	return t.String()
}

// Function names an operator as written ("==", "&&", "[]", "?:") and leaves
// other functions alone.
func Function(fn string) string {
	switch fn {
	case operators.Index, operators.OptIndex:
		return "[]"
	case operators.Conditional:
		return "?:"
	case operators.LogicalNot:
		return "!"
	case operators.Negate:
		return "-"
	}
	if d, ok := operators.FindReverse(fn); ok && d != "" {
		return d
	}
	return fn
}

// Value writes a value in CEL literal syntax, cut at MaxValue characters with
// "…": true, "DNS:x", ["a", "b"], timestamp("2025-06-01T00:00:00Z").
func Value(v ref.Val) string {
	w := &limitWriter{max: MaxValue}
	writeVal(w, v)
	return w.String()
}

type limitWriter struct {
	b    strings.Builder
	n    int // characters written
	max  int
	full bool
}

func (w *limitWriter) WriteString(s string) {
	if w.full {
		return
	}
	for _, r := range s {
		if w.n >= w.max {
			w.full = true
			w.b.WriteString("…")
			return
		}
		w.b.WriteRune(r)
		w.n++
	}
}

func (w *limitWriter) String() string { return w.b.String() }

func writeVal(w *limitWriter, v ref.Val) {
	if w.full {
		return
	}
	switch x := v.(type) {
	case nil:
		w.WriteString("null")
	case types.Bool:
		w.WriteString(strconv.FormatBool(bool(x)))
	case types.Int:
		w.WriteString(strconv.FormatInt(int64(x), 10))
	case types.Uint:
		w.WriteString(strconv.FormatUint(uint64(x), 10) + "u")
	case types.Double:
		s := strconv.FormatFloat(float64(x), 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEnI") {
			s += ".0"
		}
		w.WriteString(s)
	case types.String:
		w.WriteString(quote(string(x)))
	case types.Bytes:
		w.WriteString("b" + quote(string(x)))
	case types.Null:
		w.WriteString("null")
	case types.Timestamp:
		w.WriteString(`timestamp("` + x.Time.UTC().Format(time.RFC3339Nano) + `")`)
	case types.Duration:
		w.WriteString(`duration("` + strconv.FormatFloat(x.Duration.Seconds(), 'f', -1, 64) + `s")`)
	case *types.Err:
		w.WriteString("error(" + quote(x.Error()) + ")")
	case ext.IP:
		w.WriteString(`ip("` + x.Addr.String() + `")`)
	case ext.CIDR:
		w.WriteString(`cidr("` + x.Prefix.String() + `")`)
	case ref.Type:
		w.WriteString(x.TypeName())
	case traits.Lister:
		w.WriteString("[")
		n := x.Size().(types.Int)
		for i := types.Int(0); i < n && !w.full; i++ {
			if i > 0 {
				w.WriteString(", ")
			}
			writeVal(w, x.Get(i))
		}
		w.WriteString("]")
	case traits.Mapper:
		w.WriteString("{")
		it := x.Iterator()
		for first := true; it.HasNext() == types.True && !w.full; first = false {
			if !first {
				w.WriteString(", ")
			}
			k := it.Next()
			writeVal(w, k)
			w.WriteString(": ")
			writeVal(w, x.Get(k))
		}
		w.WriteString("}")
	default:
		writeNative(w, v.Type().TypeName(), reflect.ValueOf(v.Value()), 0)
	}
}

// writeNative renders a certinfo struct (or any native value) as Type{field: value},
// fields by their json (CEL) names, stopping as soon as the output is full.
func writeNative(w *limitWriter, typeName string, rv reflect.Value, depth int) {
	for rv.IsValid() && (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) {
		if rv.IsNil() {
			w.WriteString("null")
			return
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		w.WriteString("null")
		return
	}
	switch rv.Kind() {
	case reflect.Struct:
		if t, ok := rv.Interface().(time.Time); ok {
			writeVal(w, types.Timestamp{Time: t})
			return
		}
		if typeName == "" {
			typeName = TypeName(rv.Type())
		}
		w.WriteString(typeName + "{")
		if depth > 2 {
			w.WriteString("…}")
			return
		}
		first := true
		for _, f := range Fields(rv.Type()) {
			fv := rv.FieldByIndex(f.Index)
			if fv.IsZero() {
				continue // the page shows what is there; zero fields are noise
			}
			if !first {
				w.WriteString(", ")
			}
			first = false
			w.WriteString(f.Name + ": ")
			writeNative(w, "", fv, depth+1)
			if w.full {
				return
			}
		}
		w.WriteString("}")
	case reflect.Slice, reflect.Array:
		w.WriteString("[")
		for i := 0; i < rv.Len() && !w.full; i++ {
			if i > 0 {
				w.WriteString(", ")
			}
			writeNative(w, "", rv.Index(i), depth+1)
		}
		w.WriteString("]")
	case reflect.String:
		w.WriteString(quote(rv.String()))
	case reflect.Bool:
		w.WriteString(strconv.FormatBool(rv.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		w.WriteString(strconv.FormatInt(rv.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		w.WriteString(strconv.FormatUint(rv.Uint(), 10) + "u")
	default:
		w.WriteString(rv.Type().String())
	}
}

// TypeName is the CEL name ext.NativeTypes gives a Go struct: package.Type.
func TypeName(t reflect.Type) string {
	pkg := t.PkgPath()
	if i := strings.LastIndexByte(pkg, '/'); i >= 0 {
		pkg = pkg[i+1:]
	}
	if pkg == "" {
		return t.Name()
	}
	return pkg + "." + t.Name()
}

// Field is a struct field as CEL sees it: its json name and where it is.
type Field struct {
	Name  string
	Index []int // for reflect.Value.FieldByIndex
}

// Fields lists the fields ext.NativeTypes exposes with ParseStructTag("json"):
// exported, named by the first item of their json tag, "-" skipped.
func Fields(t reflect.Type) []Field {
	var out []Field
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			name, _, _ = strings.Cut(tag, ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
		}
		out = append(out, Field{Name: name, Index: f.Index})
	}
	return out
}

// quote writes s as a CEL double-quoted string literal.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(strings.ToUpper(strconv.FormatUint(uint64(s[i]), 16)))
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			h := strings.ToUpper(strconv.FormatUint(uint64(r), 16))
			if len(h) < 2 {
				b.WriteByte('0')
			}
			b.WriteString(h)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}
