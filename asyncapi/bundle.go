package asyncapi

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Bundle returns the document as one self-contained JSON value tree (the
// types of [Document.Raw]): every $ref to another file is replaced by a
// reference inside the tree, so that a reader with only this tree (the docs
// page, a browser fetching asyncapi.json, another tool) can follow every
// reference. The approach is the one of @asyncapi/bundler and of JSON Schema
// bundlers, with references moved rather than blindly inlined so that
// recursive schemas across files still work:
//
//   - references of the main file to itself ("#/...") are kept as written;
//   - a target in another file that is a component there
//     ("common.yaml#/components/schemas/User") is copied under the same
//     components section of the bundle, and a target in a schema or message
//     position ("./schemas/user.yaml#/User" as a payload, "./messages.yaml#/Hello"
//     as a message) under components/schemas or components/messages; its
//     name is the last token of the pointer (the file's name for a whole
//     file), made a valid component key, and on a collision with a name
//     already taken it is prefixed with the file's name ("user_User") and
//     then numbered ("user_User_2"); every $ref to it becomes
//     "#/components/<section>/<name>";
//   - a $ref that is the whole value of a main-file entry of channels,
//     operations, servers or components/<section> is replaced by its target,
//     so that entry keeps its name (and "#/channels/chat/messages/x" still
//     resolves without crossing a reference);
//   - other targets (no component section for them in this AsyncAPI version,
//     or schemas under a message whose schemaFormat or $schema selects another
//     JSON Schema dialect, which components/schemas would be read in the
//     default one) are inlined at their first reference; a later or recursive
//     reference points at that place;
//   - a target inside one already copied ("common.yaml#/components/schemas/User/properties/id")
//     points into the copy.
//
// The refs inside copied values are rewritten the same way, relative to the
// file they were written in. Every file comes from the cache the loader
// filled, so no file is read twice. The result is deterministic (values are
// visited in source order and names are chosen in that order) and new on
// each call: the caller may modify it. For a 2.x message with neither name
// nor messageId, its event name may change from "" to its new component key.
//
// A $ref that cannot be resolved (possible only in a document that Load
// reported invalid, or in a file part no rule read) is an error naming its
// file:line:column.
func (d *Document) Bundle() (map[string]any, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.main == nil {
		return nil, errors.New("asyncapi: bundle: no document")
	}
	if _, ok := d.main.root.(map[string]any); !ok {
		return nil, fmt.Errorf("asyncapi: bundle %s: the document is not an object", d.main.name)
	}
	b := &bundler{
		l:        &loader{cfg: d.cfg, files: d.files, doc: d},
		main:     d.main,
		sections: componentSections(d.Version),
		assigned: map[string]string{},
		homes:    map[string]string{},
		taken:    map[string]map[string]bool{},
		placed:   map[string]map[string]any{},
	}
	total := 0
	for _, s := range d.files {
		total += len(s.pos)
	}
	// Each target is copied once, but a target inside one copied earlier
	// may be copied again: bound the total so no document makes it explode.
	b.limit = max(d.cfg.MaxNodes, 4*total)
	b.budget = b.limit
	return b.run()
}

// bundler carries the state of one Bundle.
type bundler struct {
	l        *loader
	main     *source
	sections map[string]bool
	// assigned maps a target (file URL + "#" + pointer) to the "#/..." ref
	// that now reaches it in the bundle.
	assigned map[string]string
	// homes maps a target to the main-file pointer whose bare $ref is
	// replaced by the target itself.
	homes  map[string]string
	taken  map[string]map[string]bool // section -> names in use
	placed map[string]map[string]any  // section -> name -> copied value
	queue  []placement
	budget int
	limit  int
}

type placement struct {
	t       node
	section string
	name    string
}

// valueKind says what a value is, so that a reference in it can be placed under
// the right components section.
type valueKind int

const (
	kOther valueKind = iota
	kRoot
	kComponents
	kSection // a components/<section> map; the section's valueKind is in sub
	kChannelMap
	kOperationMap
	kChannel
	kOperation
	kMessage
	kMessageList // a 2.x message's oneOf
	kXAck
	kSchema
	kParamMap
	kParam
	kBindings
	kWSBinding
)

var sectionKind = map[string]valueKind{
	"schemas": kSchema, "messages": kMessage, "channels": kChannel, "operations": kOperation, "parameters": kParam,
}

var kindSection = map[valueKind]string{
	kSchema: "schemas", kMessage: "messages", kChannel: "channels", kOperation: "operations", kParam: "parameters",
}

// componentSections lists the components sections of an AsyncAPI version
// (from the official JSON Schemas).
func componentSections(version string) map[string]bool {
	m := map[string]bool{}
	for _, s := range []string{"schemas", "messages", "securitySchemes", "parameters", "correlationIds", "operationTraits",
		"messageTraits", "serverBindings", "channelBindings", "operationBindings", "messageBindings"} {
		m[s] = true
	}
	if version >= "2.3.0" {
		m["channels"], m["servers"] = true, true
	}
	if version >= "2.4.0" {
		m["serverVariables"] = true
	}
	if strings.HasPrefix(version, "3.") {
		for _, s := range []string{"operations", "replies", "replyAddresses", "tags", "externalDocs"} {
			m[s] = true
		}
	}
	return m
}

func (b *bundler) run() (map[string]any, error) {
	root := node{b.main, "", b.main.root}
	b.preassign(root)
	out, err := b.copy(root, "", kRoot, "")
	if err != nil {
		return nil, err
	}
	// placing a target may reach others: drain in FIFO order (deterministic)
	for len(b.queue) > 0 {
		p := b.queue[0]
		b.queue = b.queue[1:]
		v, err := b.copy(p.t, "/components/"+p.section+"/"+escapePtr(p.name), sectionKind[p.section], "")
		if err != nil {
			return nil, err
		}
		if b.placed[p.section] == nil {
			b.placed[p.section] = map[string]any{}
		}
		b.placed[p.section][p.name] = v
	}
	doc := out.(map[string]any)
	if len(b.placed) == 0 {
		return doc, nil
	}
	comps, ok := doc["components"].(map[string]any)
	if _, isRef := comps["$ref"]; isRef || !ok {
		if _, has := doc["components"]; has {
			return nil, fmt.Errorf("asyncapi: bundle %s: components is a $ref or not an object, so referenced files cannot be moved into it", b.main.name)
		}
		comps = map[string]any{}
		doc["components"] = comps
	}
	for section, vals := range b.placed {
		sec, ok := comps[section].(map[string]any)
		if _, isRef := sec["$ref"]; isRef || !ok {
			if _, has := comps[section]; has {
				return nil, fmt.Errorf("asyncapi: bundle %s: components.%s is a $ref or not an object, so referenced files cannot be moved into it", b.main.name, section)
			}
			sec = map[string]any{}
			comps[section] = sec
		}
		for name, v := range vals {
			sec[name] = v
		}
	}
	return doc, nil
}

// preassign reserves the names of the main file's components and makes each
// main-file entry that is a bare $ref to another file the home of its target.
func (b *bundler) preassign(root node) {
	comps := root.get("components")
	for _, section := range orderedKeys(comps) {
		sec := comps.get(section)
		for _, name := range orderedKeys(sec) {
			b.take(section, name)
			b.home(sec.get(name))
		}
	}
	for _, top := range []string{"channels", "operations", "servers"} {
		m := root.get(top)
		for _, k := range orderedKeys(m) {
			b.home(m.get(k))
		}
	}
}

func (b *bundler) home(n node) {
	m := n.obj()
	ref, ok := m["$ref"].(string)
	if !ok || len(m) != 1 {
		return
	}
	t, err := b.l.resolve(n.src, ref)
	if err != nil || t.src == b.main {
		return // reported when copied, or kept as an internal ref
	}
	key := targetKey(t)
	if _, dup := b.homes[key]; !dup {
		b.homes[key] = n.ptr
		b.assigned[key] = "#" + fragment(n.ptr)
	}
}

func (b *bundler) take(section, name string) {
	if b.taken[section] == nil {
		b.taken[section] = map[string]bool{}
	}
	b.taken[section][name] = true
}

func targetKey(t node) string { return t.src.url + "#" + t.ptr }

// orderedKeys is node.keys with a sorted fallback, so that objects built by
// YAML merge keys are visited in the same order on every run.
func orderedKeys(n node) []string {
	m := n.obj()
	if m == nil {
		return nil
	}
	ks := n.src.keys[n.ptr]
	out := make([]string, 0, len(m))
	seen := make(map[string]bool, len(m))
	for _, k := range ks {
		if _, ok := m[k]; ok && !seen[k] {
			out = append(out, k)
			seen[k] = true
		}
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// childKind is the valueKind of the value under key in a value of valueKind k.
func childKind(k valueKind, key string, parent map[string]any) valueKind {
	switch k {
	case kRoot:
		switch key {
		case "components":
			return kComponents
		case "channels":
			return kChannelMap
		case "operations":
			return kOperationMap
		}
	case kComponents:
		switch key {
		case "schemas", "messages", "channels", "operations", "parameters":
			return kSection
		case "channelBindings", "messageBindings", "operationBindings", "serverBindings":
			return kSection
		}
	case kChannelMap:
		return kChannel
	case kOperationMap:
		return kOperation
	case kChannel:
		switch key {
		case "publish", "subscribe":
			return kOperation
		case "messages":
			return kSection // 3.x: a map of messages
		case "parameters":
			return kParamMap
		case "bindings":
			return kBindings
		case "x-auth":
			return kSchema
		}
	case kOperation:
		if key == "message" {
			return kMessage
		}
	case kMessage:
		switch key {
		case "payload", "headers":
			return kSchema
		case "x-ack":
			return kXAck
		case "oneOf":
			return kMessageList
		}
	case kMessageList:
		return kMessage
	case kXAck:
		if _, ok := parent["args"]; ok {
			if key == "args" {
				return kSchema
			}
			return kOther
		}
		return kSchema // sio-asyncapi's bare x-ack schema
	case kSchema:
		switch key {
		case "example", "examples", "default", "const", "enum":
			return kOther
		}
		return kSchema
	case kParamMap:
		return kParam
	case kParam:
		if key == "schema" {
			return kSchema
		}
	case kBindings:
		if key == "ws" {
			return kWSBinding
		}
	case kWSBinding:
		if key == "query" || key == "headers" {
			return kSchema
		}
	}
	return kOther
}

// sectionChild is the valueKind of an entry of a kSection map whose path is ptr.
func sectionChild(ptr string) valueKind {
	i := strings.LastIndexByte(ptr, '/')
	sec := unescapePtr(ptr[i+1:])
	if strings.HasSuffix(sec, "Bindings") {
		return kBindings
	}
	return sectionKind[sec]
}

// subDialect is the JSON Schema dialect of the value under key in obj.
func subDialect(k valueKind, obj map[string]any, key, dialect string) string {
	switch {
	case k == kMessage && key == "payload", k == kSchema && key == "schema":
		if f, ok := obj["schemaFormat"].(string); ok {
			if d, err := dialectOfSchemaFormat(f); err == nil {
				return d
			}
		}
	}
	return dialect
}

// copy returns a copy of n (at out, its pointer in the bundle) with every
// reference rewritten.
func (b *bundler) copy(n node, out string, k valueKind, dialect string) (any, error) {
	if b.budget--; b.budget < 0 {
		return nil, fmt.Errorf("asyncapi: bundle %s: the bundled document would hold more than %d values", b.main.name, b.limit)
	}
	switch v := n.v.(type) {
	case map[string]any:
		if k == kSchema {
			if s, ok := v["$schema"].(string); ok {
				if d, ok := dialectOfSchemaKeyword(s); ok {
					dialect = d
				}
			}
		}
		if ref, ok := v["$ref"].(string); ok {
			return b.ref(n, v, ref, out, k, dialect)
		}
		m := make(map[string]any, len(v))
		for _, key := range orderedKeys(n) {
			ck := childKind(k, key, v)
			if k == kSection {
				ck = sectionChild(out)
			}
			c, err := b.copy(n.get(key), out+"/"+escapePtr(key), ck, subDialect(k, v, key, dialect))
			if err != nil {
				return nil, err
			}
			m[key] = c
		}
		return m, nil
	case []any:
		a := make([]any, len(v))
		for i := range v {
			ck := kOther
			if k == kMessageList || k == kSchema {
				ck = k
			}
			c, err := b.copy(n.idx(i), out+"/"+strconv.Itoa(i), ck, dialect)
			if err != nil {
				return nil, err
			}
			a[i] = c
		}
		return a, nil
	}
	return n.v, nil
}

// ref copies the Reference Object v at n.
func (b *bundler) ref(n node, v map[string]any, ref, out string, k valueKind, dialect string) (any, error) {
	siblings := func(newRef string) (any, error) {
		m := make(map[string]any, len(v))
		for _, key := range orderedKeys(n) {
			if key == "$ref" {
				m[key] = newRef
				continue
			}
			c, err := b.copy(n.get(key), out+"/"+escapePtr(key), childKind(k, key, v), dialect)
			if err != nil {
				return nil, err
			}
			m[key] = c
		}
		return m, nil
	}
	if n.src == b.main && strings.HasPrefix(ref, "#") {
		return siblings(ref) // kept as written
	}
	t, err := b.l.resolve(n.src, ref)
	if err != nil {
		p := n.src.position(n.ptr + "/$ref")
		return nil, fmt.Errorf("asyncapi: bundle: %s:%d:%d: %w", n.src.name, p.Line, p.Column, err)
	}
	if t.src == b.main {
		return siblings("#" + fragment(t.ptr))
	}
	key := targetKey(t)
	if h, ok := b.homes[key]; ok && h == out && n.src == b.main {
		delete(b.homes, key) // this entry is the target's home: copy it here
		return b.copy(t, out, k, dialect)
	}
	if r, ok := b.lookup(t); ok {
		return siblings(r)
	}
	section := ""
	if sec, ok := componentOf(t.ptr); ok && b.sections[sec] {
		section = sec
	} else if s, ok := kindSection[k]; ok && b.sections[s] {
		section = s
	}
	if section == "schemas" && dialect != "" && dialect != Dialect2020 {
		section = "" // components/schemas would be compiled in the default dialect
	}
	if section != "" {
		name := b.name(section, t)
		r := "#/components/" + section + "/" + fragment(escapePtr(name))
		b.assigned[key] = r
		b.queue = append(b.queue, placement{t, section, name})
		return siblings(r)
	}
	// inline here; a later or recursive reference points at this place
	if len(v) > 1 && k == kSchema && dialect == Dialect2019 {
		// 2019-09 applies a $ref's siblings too: keep both
		b.assigned[key] = "#" + fragment(out+"/allOf/0")
		m, err := siblings("")
		if err != nil {
			return nil, err
		}
		mm := m.(map[string]any)
		delete(mm, "$ref")
		c, err := b.copy(t, out+"/allOf/0", k, dialect)
		if err != nil {
			return nil, err
		}
		mm["allOf"] = []any{c}
		return mm, nil
	}
	// A Reference Object's siblings are ignored by AsyncAPI and by draft-07
	// and draft-04 schemas, so the target replaces it.
	b.assigned[key] = "#" + fragment(out)
	return b.copy(t, out, k, dialect)
}

// lookup returns the bundle reference of a target already placed, or of a
// value inside one (the copy has the same structure).
func (b *bundler) lookup(t node) (string, bool) {
	ptr := t.ptr
	for {
		if r, ok := b.assigned[t.src.url+"#"+ptr]; ok {
			return r + fragment(t.ptr[len(ptr):]), true
		}
		i := strings.LastIndexByte(ptr, '/')
		if i < 0 {
			return "", false
		}
		ptr = ptr[:i]
	}
}

// componentOf returns the section of a pointer "/components/<section>/<name>".
func componentOf(ptr string) (section string, ok bool) {
	rest, ok := strings.CutPrefix(ptr, "/components/")
	if !ok {
		return "", false
	}
	section, name, ok := strings.Cut(rest, "/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", false
	}
	return unescapePtr(section), true
}

var nonKeyChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// keyName makes s a valid component key (^[A-Za-z0-9.\-_]+$).
func keyName(s string) string {
	return strings.Trim(nonKeyChars.ReplaceAllString(s, "_"), "_")
}

// name picks a free component name for target t in section.
func (b *bundler) name(section string, t node) string {
	file := path.Base(t.src.url)
	if u, err := url.PathUnescape(file); err == nil {
		file = u
	}
	stem := keyName(strings.TrimSuffix(file, path.Ext(file)))
	base := ""
	if i := strings.LastIndexByte(t.ptr, '/'); i >= 0 {
		base = keyName(unescapePtr(t.ptr[i+1:]))
	}
	if base == "" {
		base = stem
	}
	if base == "" {
		base = strings.TrimSuffix(section, "s")
	}
	cands := []string{base}
	if stem != "" && stem != base {
		cands = append(cands, stem+"_"+base)
	}
	for _, c := range cands {
		if !b.taken[section][c] {
			b.take(section, c)
			return c
		}
	}
	last := cands[len(cands)-1]
	for i := 2; ; i++ {
		c := last + "_" + strconv.Itoa(i)
		if !b.taken[section][c] {
			b.take(section, c)
			return c
		}
	}
}

// fragment writes a JSON pointer as a URI fragment, percent-encoding what a
// fragment cannot hold (the loader and the schema compiler decode it).
func fragment(ptr string) string {
	return (&url.URL{Fragment: ptr}).EscapedFragment()
}
