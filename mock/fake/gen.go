package fake

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/brianvoe/gofakeit/v7"
)

const (
	attemptsPerLevel = 6
	stepBudget       = 50_000
	defaultSpan      = 1000
	maxExtraDepth    = 64      // nesting past MaxDepth that required properties may force
	maxGenLen        = 100_000 // longest string generated
	maxGenItems      = 10_000  // most items or properties generated
)

var errBudget = errors.New("generation budget exhausted")

// state is one generation run. It is not safe for concurrent use.
type state struct {
	rng      *rand.Rand
	faker    *gofakeit.Faker
	maxDepth int
	steps    int
	hint     string // name of the property being generated, for realism
	examples bool   // Config.UseExamples
}

func schemaErr(loc, kw, format string, args ...any) *SchemaError {
	return &SchemaError{Location: loc, Keyword: kw, Reason: fmt.Sprintf(format, args...)}
}

func firstLoc(parts []*node) string {
	if len(parts) == 0 {
		return "#"
	}
	return parts[0].loc
}

// gen generates a value valid against every node in parts (a conjunction).
func (st *state) gen(parts []*node, depth int) (any, error) {
	if depth > st.maxDepth+maxExtraDepth {
		return nil, &SchemaError{Location: firstLoc(parts), Reason: fmt.Sprintf("values nest deeper than %d levels", depth), fatal: true}
	}
	var last error
	for range attemptsPerLevel {
		st.steps++
		if st.steps > stepBudget {
			return nil, schemaErr(firstLoc(parts), "", "%v", errBudget)
		}
		exp, err := st.expand(parts, depth)
		if err != nil {
			last = err
			continue
		}
		v, err := st.genExpanded(parts, exp, depth)
		if err != nil {
			last = err
			var se *SchemaError
			if errors.As(err, &se) && se.fatal {
				return nil, err
			}
			continue
		}
		ok := true
		for _, p := range parts {
			if !match(p, v) {
				ok = false
				last = whyNot(p, v)
				break
			}
		}
		if ok {
			return v, nil
		}
	}
	return nil, last
}

// expand flattens $ref and allOf and picks one branch of each anyOf,
// oneOf and if/then/else, so that the result is a plain conjunction.
func (st *state) expand(parts []*node, depth int) ([]*node, error) {
	out := make([]*node, 0, len(parts)+4)
	seen := map[*node]bool{}
	budget := st.maxDepth - depth
	var visit func(n *node) error
	visit = func(n *node) error {
		if n == nil || seen[n] {
			return nil
		}
		seen[n] = true
		if n.isBool {
			if !n.boolVal {
				return schemaErr(n.loc, "", "schema is false: no value is valid")
			}
			return nil
		}
		out = append(out, n)
		if err := visit(n.ref); err != nil {
			return err
		}
		for _, s := range n.allOf {
			if err := visit(s); err != nil {
				return err
			}
		}
		if len(n.anyOf) > 0 {
			if err := visit(st.pickBranch(n.anyOf, budget)); err != nil {
				return err
			}
		}
		if len(n.oneOf) > 0 {
			if err := visit(st.pickBranch(n.oneOf, budget)); err != nil {
				return err
			}
		}
		if n.ifN != nil {
			if st.rng.IntN(2) == 0 || (n.thenN != nil && n.elseN == nil) && st.rng.IntN(2) == 0 {
				if err := visit(n.ifN); err != nil {
					return err
				}
				if err := visit(n.thenN); err != nil {
					return err
				}
			} else if err := visit(n.elseN); err != nil {
				return err
			}
		}
		return nil
	}
	for _, p := range parts {
		if err := visit(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pickBranch picks a random branch that fits in the remaining depth
// budget; when none does, the branch with the smallest nesting wins, which
// is how recursive schemas terminate.
func (st *state) pickBranch(bs []*node, budget int) *node {
	var fit []*node
	best := bs[0]
	for _, b := range bs {
		if b.height <= budget && b.height < infHeight {
			fit = append(fit, b)
		}
		if b.height < best.height {
			best = b
		}
	}
	if len(fit) == 0 {
		return best
	}
	return fit[st.rng.IntN(len(fit))]
}

func heightOf(parts []*node) int {
	h := 0
	for _, p := range parts {
		h = max(h, p.height)
	}
	return h
}

// numRange is the intersection of numeric bounds.
type numRange struct {
	min, max     *big.Rat
	exMin, exMax bool
	mults        []*big.Rat
	int32        bool
}

func numBounds(exp []*node) numRange {
	var r numRange
	for _, p := range exp {
		if p.min != nil {
			if c := cmpRat(p.min, r.min); r.min == nil || c > 0 || (c == 0 && p.exMin) {
				r.min, r.exMin = p.min, p.exMin
			}
		}
		if p.max != nil {
			if c := cmpRat(p.max, r.max); r.max == nil || c < 0 || (c == 0 && p.exMax) {
				r.max, r.exMax = p.max, p.exMax
			}
		}
		if p.multipleOf != nil {
			r.mults = append(r.mults, p.multipleOf)
		}
		if p.numFormat == "int32" {
			r.int32 = true
		}
	}
	return r
}

func cmpRat(a, b *big.Rat) int {
	if b == nil {
		return 1
	}
	return a.Cmp(b)
}

// intRange returns the integer interval [lo, hi] and step allowed by r,
// with defaults for open ends. ok is false when it is empty.
func (r numRange) intRange() (lo, hi, step *big.Int, ok bool) {
	step = big.NewInt(1)
	for _, m := range r.mults {
		num := new(big.Int).Abs(m.Num())
		g := new(big.Int).GCD(nil, nil, step, num)
		step.Mul(step, num).Div(step, g)
	}
	if r.min != nil {
		lo = ratCeil(r.min)
		if r.exMin && r.min.IsInt() {
			lo.Add(lo, big.NewInt(1))
		}
	}
	if r.max != nil {
		hi = ratFloor(r.max)
		if r.exMax && r.max.IsInt() {
			hi.Sub(hi, big.NewInt(1))
		}
	}
	if r.int32 {
		lo = maxInt(lo, big.NewInt(math.MinInt32))
		hi = minInt(hi, big.NewInt(math.MaxInt32))
	}
	span := new(big.Int).Mul(step, big.NewInt(defaultSpan))
	switch {
	case lo == nil && hi == nil:
		lo, hi = big.NewInt(0), span
	case lo == nil:
		lo = new(big.Int).Sub(hi, span)
	case hi == nil:
		hi = new(big.Int).Add(lo, span)
	}
	// Round to multiples of step.
	klo := ceilDiv(lo, step)
	khi := new(big.Int).Div(hi, step) // Euclidean: floor for positive step
	if klo.Cmp(khi) > 0 {
		return nil, nil, nil, false
	}
	return klo, khi, step, true
}

func ratCeil(r *big.Rat) *big.Int {
	q := new(big.Int).Div(r.Num(), r.Denom()) // floor (Euclidean, positive denom)
	if !r.IsInt() {
		q.Add(q, big.NewInt(1))
	}
	return q
}

func ratFloor(r *big.Rat) *big.Int { return new(big.Int).Div(r.Num(), r.Denom()) }

func ceilDiv(a, b *big.Int) *big.Int {
	q, m := new(big.Int).DivMod(a, b, new(big.Int))
	if m.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	return q
}

func maxInt(a, b *big.Int) *big.Int {
	if a == nil || a.Cmp(b) < 0 {
		return b
	}
	return a
}

func minInt(a, b *big.Int) *big.Int {
	if a == nil || a.Cmp(b) > 0 {
		return b
	}
	return a
}

// randBig picks uniformly in [lo, hi] (hi-lo capped to 2^62).
func (st *state) randBig(lo, hi *big.Int) *big.Int {
	d := new(big.Int).Sub(hi, lo)
	if !d.IsInt64() || d.Int64() > 1<<62 {
		d = big.NewInt(1 << 62)
	}
	return new(big.Int).Add(lo, big.NewInt(st.rng.Int64N(d.Int64()+1)))
}

func bigToValue(b *big.Int) any {
	if b.IsInt64() {
		return b.Int64()
	}
	f, _ := new(big.Float).SetInt(b).Float64()
	return f
}

func (st *state) genInt(r numRange, loc string) (any, error) {
	klo, khi, step, ok := r.intRange()
	if !ok {
		return nil, schemaErr(loc, "", "no integer satisfies %s", r.describe())
	}
	// Prefer small, realistic magnitudes when the range is wide.
	if d := new(big.Int).Sub(khi, klo); d.Cmp(big.NewInt(defaultSpan)) > 0 && st.rng.IntN(4) != 0 {
		zero := ceilDiv(big.NewInt(0), step)
		if klo.Sign() <= 0 && khi.Sign() >= 0 {
			klo, khi = maxInt(klo, new(big.Int).Sub(zero, big.NewInt(defaultSpan/10))), minInt(khi, new(big.Int).Add(zero, big.NewInt(defaultSpan)))
		} else if klo.Sign() > 0 {
			khi = new(big.Int).Add(klo, big.NewInt(defaultSpan))
		} else {
			klo = new(big.Int).Sub(khi, big.NewInt(defaultSpan))
		}
	}
	k := st.randBig(klo, khi)
	return bigToValue(k.Mul(k, step)), nil
}

func (r numRange) describe() string {
	var b strings.Builder
	if r.min != nil {
		if r.exMin {
			b.WriteString("exclusiveMinimum ")
		} else {
			b.WriteString("minimum ")
		}
		b.WriteString(r.min.RatString())
	}
	if r.max != nil {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		if r.exMax {
			b.WriteString("exclusiveMaximum ")
		} else {
			b.WriteString("maximum ")
		}
		b.WriteString(r.max.RatString())
	}
	for _, m := range r.mults {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString("multipleOf ")
		b.WriteString(m.RatString())
	}
	if r.int32 {
		b.WriteString(" (format int32)")
	}
	if b.Len() == 0 {
		return "the bounds"
	}
	return b.String()
}

// numEmpty reports whether no number at all satisfies the bounds.
func (r numRange) numEmpty() bool {
	if len(r.mults) > 0 {
		_, _, _, ok := r.ratRange()
		return !ok
	}
	if r.min == nil || r.max == nil {
		return false
	}
	c := r.min.Cmp(r.max)
	return c > 0 || (c == 0 && (r.exMin || r.exMax))
}

// ratRange is intRange for a rational step (the lcm of the multipleOfs).
func (r numRange) ratRange() (klo, khi *big.Int, step *big.Rat, ok bool) {
	step = new(big.Rat).Set(r.mults[0])
	for _, m := range r.mults[1:] {
		num := new(big.Int).GCD(nil, nil, step.Num(), m.Num())
		num = new(big.Int).Div(new(big.Int).Mul(step.Num(), m.Num()), num)
		den := new(big.Int).GCD(nil, nil, step.Denom(), m.Denom())
		step = new(big.Rat).SetFrac(num, den)
	}
	span := new(big.Rat).Mul(step, new(big.Rat).SetInt64(defaultSpan))
	lo, hi := r.min, r.max
	switch {
	case lo == nil && hi == nil:
		lo, hi = new(big.Rat), span
	case lo == nil:
		lo = new(big.Rat).Sub(hi, span)
	case hi == nil:
		hi = new(big.Rat).Add(lo, span)
	}
	ql := new(big.Rat).Quo(lo, step)
	klo = ratCeil(ql)
	if ql.IsInt() && r.exMin && r.min != nil {
		klo.Add(klo, big.NewInt(1))
	}
	qh := new(big.Rat).Quo(hi, step)
	khi = ratFloor(qh)
	if qh.IsInt() && r.exMax && r.max != nil {
		khi.Sub(khi, big.NewInt(1))
	}
	return klo, khi, step, klo.Cmp(khi) <= 0
}

func (st *state) genNum(r numRange, loc string) (any, error) {
	if len(r.mults) > 0 {
		klo, khi, step, ok := r.ratRange()
		if !ok {
			return nil, schemaErr(loc, "", "no number satisfies %s", r.describe())
		}
		k := st.randBig(klo, minInt(khi, new(big.Int).Add(klo, big.NewInt(defaultSpan*10))))
		v := new(big.Rat).Mul(new(big.Rat).SetInt(k), step)
		if v.IsInt() {
			return bigToValue(v.Num()), nil
		}
		f, _ := v.Float64()
		return f, nil
	}
	if r.numEmpty() {
		return nil, schemaErr(loc, "", "no number satisfies %s", r.describe())
	}
	var lo, hi float64
	switch {
	case r.min == nil && r.max == nil:
		lo, hi = -100, defaultSpan
	case r.min == nil:
		hi, _ = r.max.Float64()
		lo = hi - defaultSpan
	case r.max == nil:
		lo, _ = r.min.Float64()
		hi = lo + defaultSpan
	default:
		lo, _ = r.min.Float64()
		hi, _ = r.max.Float64()
	}
	if r.int32 {
		lo, hi = max(lo, math.MinInt32), min(hi, math.MaxInt32)
	}
	check := func(f float64) bool {
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return false
		}
		fr, _ := toRat(f)
		if r.min != nil {
			if c := fr.Cmp(r.min); c < 0 || (c == 0 && r.exMin) {
				return false
			}
		}
		if r.max != nil {
			if c := fr.Cmp(r.max); c > 0 || (c == 0 && r.exMax) {
				return false
			}
		}
		return true
	}
	for range 8 {
		f := lo + st.rng.Float64()*(hi-lo)
		if rounded := math.Round(f*100) / 100; hi-lo >= 1 && check(rounded) {
			return rounded, nil
		}
		if check(f) {
			return f, nil
		}
	}
	// Very narrow (or exclusive) intervals: the midpoint.
	if r.min == nil || r.max == nil {
		return nil, schemaErr(loc, "", "cannot pick a number within %s", r.describe())
	}
	mid := new(big.Rat).Add(r.min, r.max)
	mid.Quo(mid, big.NewRat(2, 1))
	if f, _ := mid.Float64(); check(f) {
		return f, nil
	}
	return nil, schemaErr(loc, "", "cannot pick a number within %s", r.describe())
}

// strBounds intersects length bounds.
func strBounds(exp []*node) (lo, hi int) {
	hi = unbounded
	for _, p := range exp {
		lo = max(lo, p.minLen)
		if p.maxLen != unbounded && (hi == unbounded || p.maxLen < hi) {
			hi = p.maxLen
		}
	}
	return lo, hi
}

func lenOK(s string, lo, hi int) bool {
	l := utf8.RuneCountInString(s)
	return l >= lo && (hi == unbounded || l <= hi)
}

func (st *state) letters(b *strings.Builder, n int) {
	for range n {
		b.WriteByte(byte('a' + st.rng.IntN(26)))
	}
}

// fit truncates or pads s to a length in [lo, hi].
func (st *state) fit(s string, lo, hi int) string {
	l := utf8.RuneCountInString(s)
	if hi != unbounded && l > hi {
		rs := []rune(s)[:hi]
		s = strings.TrimRight(string(rs), " ")
		l = utf8.RuneCountInString(s)
	}
	if l < lo {
		var b strings.Builder
		b.WriteString(s)
		st.letters(&b, lo-l)
		s = b.String()
	}
	return s
}

func (st *state) genStr(exp []*node, loc string) (any, error) {
	lo, hi := strBounds(exp)
	if hi != unbounded && lo > hi {
		return nil, schemaErr(loc, "", "minLength %d > maxLength %d", lo, hi)
	}
	var pats []*node
	format := ""
	for _, p := range exp {
		if p.pattern != "" {
			pats = append(pats, p)
		}
		if p.format != "" && p.numFormat == "" && format == "" {
			format = p.format
		}
	}
	allPats := func(s string) bool {
		for _, p := range pats {
			if p.re == nil || !p.re.MatchString(s) {
				return false
			}
		}
		return true
	}
	if format != "" {
		if fn, std := lookupFormat(format); fn != nil {
			for range 6 {
				s := fn(st.faker, st.rng)
				if !std {
					s = st.fit(s, lo, hi)
				}
				if lenOK(s, lo, hi) && allPats(s) {
					return s, nil
				}
			}
			if std && len(pats) == 0 {
				return nil, schemaErr(loc, "format", "cannot generate a %q value with length in [%d, %s]", format, lo, hiString(hi))
			}
		}
	}
	if len(pats) > 0 {
		pg := pats[0]
		if pg.pgen == nil {
			return nil, &SchemaError{Location: pg.loc, Keyword: "pattern", Reason: fmt.Sprintf("cannot generate strings for pattern %q", pg.pattern), fatal: true}
		}
		for i := range 12 {
			extra := 3 + i
			if lo > extra {
				extra = lo + i
			}
			if hi != unbounded && i%2 == 0 {
				extra = min(extra, max(hi/2, 1))
			}
			var b strings.Builder
			if format != "" && !pg.pgen.anchorStart && i%2 == 0 {
				// "@example\.com$" with format email: give the match a
				// plausible head (the pattern allows any prefix).
				st.letters(&b, 3+st.rng.IntN(6))
			}
			pg.pgen.generate(st.rng, &b, extra)
			s := b.String()
			if l := utf8.RuneCountInString(s); l < lo {
				if !pg.pgen.anchorEnd {
					st.letters(&b, lo-l)
					s = b.String()
				} else if !pg.pgen.anchorStart {
					var p strings.Builder
					st.letters(&p, lo-l)
					s = p.String() + s
				}
			}
			if lenOK(s, lo, hi) && allPats(s) {
				return s, nil
			}
		}
		return nil, schemaErr(pg.loc, "pattern", "cannot generate a string matching %q with length in [%d, %s]", pg.pattern, lo, hiString(hi))
	}
	// A property name like "username" or "city" picks a Faker provider.
	if fn := hintFormat(st.hint); fn != nil {
		for range 3 {
			if s := st.fit(fn(st.faker, st.rng), lo, hi); lenOK(s, lo, hi) {
				return s, nil
			}
		}
	}
	// Plain text: whole words when they fit, cut to the bounds otherwise.
	top := hi
	if top == unbounded {
		top = max(lo, 4) + 16
	}
	target := max(lo, min(1, top))
	if top > target {
		target += st.rng.IntN(top - target + 1)
	}
	var b strings.Builder
	n := 0
	for n < target {
		w := strings.ToLower(st.faker.Word())
		wn := utf8.RuneCountInString(w)
		if n > 0 {
			if n+1+wn > target && n >= lo && n >= 1 {
				break // stop at a word boundary rather than cut a word
			}
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += wn
	}
	return st.fit(b.String(), lo, hi), nil
}

func hiString(hi int) string {
	if hi == unbounded {
		return "∞"
	}
	return strconv.Itoa(hi)
}

// typeChoice intersects types and removes the ones whose constraints are
// contradictory; the error explains why nothing is left.
func (st *state) typeChoice(exp []*node, depth int) (typeSet, *SchemaError) {
	types := tAll
	explicit := false
	var hints typeSet
	for _, p := range exp {
		if p.hasType {
			types &= p.types
			explicit = true
		}
		if p.not != nil && !p.not.isBool && p.not.hasType && onlyType(p.not) {
			ex := p.not.types
			if ex&tNum != 0 {
				ex |= tInt
			}
			types &^= ex
		}
		if p.objHints {
			hints |= tObj
		}
		if p.arrHints {
			hints |= tArr
		}
		if p.strHints {
			hints |= tStr
		}
		if p.numHints {
			hints |= tNumeric
		}
	}
	loc := firstLoc(exp)
	if types == 0 {
		return 0, schemaErr(loc, "type", "no JSON type satisfies all of the combined \"type\" constraints")
	}
	// Drop types whose own constraints are empty.
	why := ""
	if types&tNumeric != 0 {
		r := numBounds(exp)
		if types&tInt != 0 {
			if _, _, _, ok := r.intRange(); !ok {
				types &^= tInt
				why = "no integer satisfies " + r.describe()
			}
		}
		if types&tNum != 0 && r.numEmpty() {
			types &^= tNum
			why = "no number satisfies " + r.describe()
		}
	}
	if types&tStr != 0 {
		if lo, hi := strBounds(exp); hi != unbounded && lo > hi {
			types &^= tStr
			why = fmt.Sprintf("minLength %d > maxLength %d", lo, hi)
		} else if lo > maxGenLen {
			types &^= tStr
			why = fmt.Sprintf("minLength %d is more than the generator's limit of %d", lo, maxGenLen)
		}
	}
	if types&tArr != 0 {
		lo, hi := arrBounds(exp)
		if hi != unbounded && lo > hi {
			types &^= tArr
			why = fmt.Sprintf("minItems %d > maxItems %d", lo, hi)
		} else if lo > 0 && heightOf(itemParts(exp, 0)) >= infHeight {
			types &^= tArr
			why = "items cannot be satisfied but minItems is not 0"
		} else if lo > maxGenItems {
			types &^= tArr
			why = fmt.Sprintf("minItems %d is more than the generator's limit of %d", lo, maxGenItems)
		}
	}
	if types&tObj != 0 {
		lo, hi := objBounds(exp)
		if hi != unbounded && lo > hi {
			types &^= tObj
			why = fmt.Sprintf("minProperties %d > maxProperties %d (counting required properties)", lo, hi)
		} else if lo > maxGenItems {
			types &^= tObj
			why = fmt.Sprintf("minProperties %d is more than the generator's limit of %d", lo, maxGenItems)
		}
		for _, p := range exp {
			for _, k := range p.required {
				if at := allowedKey(exp, k); at != "" {
					types &^= tObj
					why = fmt.Sprintf("required property %q is forbidden by %s", k, at)
				} else if heightOf(valueParts(exp, k)) >= infHeight {
					types &^= tObj
					why = fmt.Sprintf("required property %q cannot be satisfied", k)
				}
			}
		}
	}
	if types == 0 {
		return 0, schemaErr(loc, "", "%s", why)
	}
	if !explicit {
		if h := hints & types; h != 0 {
			types = h
		} else if d := types & (tStr | tNumeric | tBool); d != 0 {
			types = d
		}
	}
	if depth >= st.maxDepth {
		if s := types &^ (tArr | tObj); s != 0 {
			types = s
		}
	}
	return types, nil
}

func onlyType(n *node) bool {
	return !n.hasConst && !n.hasEnum && n.min == nil && n.max == nil && n.multipleOf == nil &&
		n.minLen == 0 && n.maxLen == unbounded && n.pattern == "" && n.format == "" &&
		len(n.prefix) == 0 && n.items == nil && n.contains == nil && n.minItems == 0 && n.maxItems == unbounded &&
		!n.unique && len(n.props) == 0 && len(n.required) == 0 && n.additional == nil && len(n.patProps) == 0 &&
		n.propertyNames == nil && n.minProps == 0 && n.maxProps == unbounded && n.ref == nil &&
		len(n.allOf)+len(n.anyOf)+len(n.oneOf) == 0 && n.not == nil && n.ifN == nil
}

func (st *state) genExpanded(parts, exp []*node, depth int) (any, error) {
	if st.examples && st.rng.IntN(2) == 0 {
		var ok []any
		for _, p := range exp {
			for _, e := range p.examples {
				if !slices.ContainsFunc(parts, func(q *node) bool { return !match(q, e) }) {
					ok = append(ok, e)
				}
			}
		}
		if len(ok) > 0 {
			return deepCopy(ok[st.rng.IntN(len(ok))]), nil
		}
	}
	// const / enum: pick among the literal values that satisfy everything.
	for _, p := range exp {
		if !p.hasConst && !p.hasEnum {
			continue
		}
		cands := p.enum
		if p.hasConst {
			cands = []any{p.constVal}
		}
		var ok []any
		for _, c := range cands {
			good := true
			for _, q := range parts {
				if !match(q, c) {
					good = false
					break
				}
			}
			if good {
				ok = append(ok, c)
			}
		}
		if len(ok) == 0 {
			kw := "enum"
			if p.hasConst {
				kw = "const"
			}
			return nil, schemaErr(p.loc, kw, "no %s value satisfies the rest of the schema", kw)
		}
		return deepCopy(ok[st.rng.IntN(len(ok))]), nil
	}
	types, serr := st.typeChoice(exp, depth)
	if serr != nil {
		return nil, serr
	}
	if types&tNull != 0 && types != tNull && st.rng.IntN(6) != 0 {
		types &^= tNull
	}
	var choices [7]typeSet
	c := 0
	for _, t := range []typeSet{tNull, tBool, tStr, tArr, tObj} {
		if types&t != 0 {
			choices[c] = t
			c++
		}
	}
	if types&tNum != 0 {
		choices[c] = tNum
		c++
	} else if types&tInt != 0 {
		choices[c] = tInt
		c++
	}
	loc := firstLoc(exp)
	switch choices[st.rng.IntN(c)] {
	case tNull:
		return nil, nil
	case tBool:
		return st.rng.IntN(2) == 0, nil
	case tInt:
		return st.genInt(st.hintRange(numBounds(exp), true), loc)
	case tNum:
		r := st.hintRange(numBounds(exp), false)
		if st.rng.IntN(3) == 0 || r.numEmpty() {
			if v, err := st.genInt(r, loc); err == nil {
				return v, nil
			}
		}
		return st.genNum(r, loc)
	case tStr:
		return st.genStr(exp, loc)
	case tArr:
		return st.genArr(exp, depth)
	default:
		return st.genObj(exp, depth)
	}
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(v))
		for i, e := range v {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}

// ---- arrays

func arrBounds(exp []*node) (lo, hi int) {
	hi = unbounded
	for _, p := range exp {
		lo = max(lo, p.minItems)
		if p.maxItems != unbounded && (hi == unbounded || p.maxItems < hi) {
			hi = p.maxItems
		}
		if p.items != nil && p.items.isBool && !p.items.boolVal {
			if hi == unbounded || len(p.prefix) < hi {
				hi = len(p.prefix)
			}
		}
	}
	return lo, hi
}

func itemParts(exp []*node, i int) []*node {
	var out []*node
	for _, p := range exp {
		if i < len(p.prefix) {
			out = append(out, p.prefix[i])
		} else if p.items != nil {
			out = append(out, p.items)
		}
	}
	return out
}

func (st *state) genArr(exp []*node, depth int) (any, error) {
	loc := firstLoc(exp)
	lo, hi := arrBounds(exp)
	var contains []*node
	unique := false
	for _, p := range exp {
		unique = unique || p.unique
		if p.contains != nil {
			for range min(p.minContains, maxGenItems+1) {
				contains = append(contains, p.contains)
			}
		}
	}
	lo = max(lo, len(contains))
	if hi != unbounded && lo > hi {
		return nil, schemaErr(loc, "", "array needs at least %d items but at most %d are allowed", lo, hi)
	}
	n := lo
	if budget := st.maxDepth - depth; budget > 0 && heightOf(itemParts(exp, lo)) < infHeight {
		top := lo + 3
		if hi != unbounded {
			top = min(top, hi)
		}
		n += st.rng.IntN(top - lo + 1)
	}
	out := make([]any, 0, n)
	hint := st.hint
	for i := range n {
		st.hint = hint
		ip := itemParts(exp, i)
		if i < len(contains) {
			ip = append(ip, contains[i])
		}
		var v any
		dup := false
		for try := 0; ; try++ {
			var err error
			v, err = st.gen(ip, depth+1)
			if err != nil {
				return nil, err
			}
			dup = unique && slices.ContainsFunc(out, func(e any) bool { return equalJSON(e, v) })
			if !dup || try == 8 {
				break
			}
		}
		if dup {
			if len(out) >= lo {
				break // fewer items, all distinct
			}
			return nil, schemaErr(loc, "uniqueItems", "cannot generate %d distinct items", lo)
		}
		out = append(out, v)
	}
	return out, nil
}

// ---- objects

func objBounds(exp []*node) (lo, hi int) {
	hi = unbounded
	req := map[string]bool{}
	for _, p := range exp {
		lo = max(lo, p.minProps)
		if p.maxProps != unbounded && (hi == unbounded || p.maxProps < hi) {
			hi = p.maxProps
		}
		for _, r := range p.required {
			req[r] = true
		}
	}
	return max(lo, len(req)), hi
}

// declaredIn reports whether key k is named by p's properties or
// patternProperties.
func declaredIn(p *node, k string) bool {
	if _, ok := p.props[k]; ok {
		return true
	}
	for _, pp := range p.patProps {
		if pp.re.MatchString(k) {
			return true
		}
	}
	return false
}

func isFalse(n *node) bool { return n != nil && n.isBool && !n.boolVal }

// allowedKey returns "" if k may appear, else the location forbidding it.
func allowedKey(exp []*node, k string) string {
	declaredAny := slices.ContainsFunc(exp, func(p *node) bool { return declaredIn(p, k) })
	for _, p := range exp {
		if s, ok := p.props[k]; ok && isFalse(s) {
			return s.loc
		}
		if !declaredIn(p, k) && isFalse(p.additional) {
			return p.loc
		}
		if p.unevalPropsFalse && p.additional == nil && !declaredAny {
			return p.loc
		}
		if p.propertyNames != nil && !match(p.propertyNames, k) {
			return p.propertyNames.loc
		}
	}
	return ""
}

func valueParts(exp []*node, k string) []*node {
	var out []*node
	for _, p := range exp {
		declared := false
		if s, ok := p.props[k]; ok {
			out = append(out, s)
			declared = true
		}
		for _, pp := range p.patProps {
			if pp.re.MatchString(k) {
				out = append(out, pp.n)
				declared = true
			}
		}
		if !declared && p.additional != nil {
			out = append(out, p.additional)
		}
	}
	return out
}

func (st *state) genObj(exp []*node, depth int) (any, error) {
	loc := firstLoc(exp)
	lo, hi := objBounds(exp)
	budget := st.maxDepth - depth
	keys := []string{}
	has := map[string]bool{}
	add := func(k string) {
		if !has[k] {
			has[k] = true
			keys = append(keys, k)
		}
	}
	var declared []string
	mapLike := false
	for _, p := range exp {
		for _, r := range p.required {
			if at := allowedKey(exp, r); at != "" {
				return nil, &SchemaError{Location: at, Reason: fmt.Sprintf("required property %q is forbidden", r), fatal: true}
			}
			add(r)
		}
		declared = append(declared, p.propOrder...)
		if len(p.propOrder) == 0 && (len(p.patProps) > 0 || (p.additional != nil && !p.additional.isBool)) {
			mapLike = true
		}
	}
	slices.Sort(declared)
	declared = slices.Compact(declared)
	deps := func() {
		for i := 0; i < len(keys); i++ {
			for _, p := range exp {
				for _, d := range p.depRequired[keys[i]] {
					add(d)
				}
			}
		}
	}
	deps()
	room := func() bool { return hi == unbounded || len(keys) < hi }
	for _, k := range declared {
		if has[k] || !room() || allowedKey(exp, k) != "" {
			continue
		}
		if budget > 0 && heightOf(valueParts(exp, k)) < budget && st.rng.IntN(3) != 0 {
			add(k)
			deps()
		}
	}
	extra := 0
	if mapLike && budget > 0 {
		extra = st.rng.IntN(3)
	}
	for tries := 0; (len(keys) < lo || extra > 0) && room(); tries++ {
		if tries > 40 {
			if len(keys) >= lo {
				break
			}
			return nil, schemaErr(loc, "minProperties", "cannot find %d allowed property names", lo)
		}
		k, ok := st.newKey(exp, declared, has, depth)
		if !ok {
			continue
		}
		add(k)
		deps()
		if extra > 0 {
			extra--
		}
	}
	if hi != unbounded && len(keys) > hi {
		return nil, schemaErr(loc, "maxProperties", "%d properties are required but maxProperties is %d", len(keys), hi)
	}
	slices.Sort(keys)
	out := make(map[string]any, len(keys))
	defer func(h string) { st.hint = h }(st.hint)
	for _, k := range keys {
		st.hint = k
		v, err := st.gen(valueParts(exp, k), depth+1)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// newKey invents one more property name: an unused declared one, one from
// a patternProperties regexp, or a free name when additional properties
// are allowed.
func (st *state) newKey(exp []*node, declared []string, has map[string]bool, depth int) (string, bool) {
	for _, k := range declared {
		if !has[k] && allowedKey(exp, k) == "" {
			return k, true
		}
	}
	var k string
	var pats []*regexGen
	var names []*node
	for _, p := range exp {
		for _, pp := range p.patProps {
			if pp.gen != nil {
				pats = append(pats, pp.gen)
			}
		}
		if p.propertyNames != nil {
			names = append(names, p.propertyNames)
		}
	}
	switch {
	case len(pats) > 0 && st.rng.IntN(4) != 0:
		var b strings.Builder
		pats[st.rng.IntN(len(pats))].generate(st.rng, &b, 4)
		k = b.String()
	case len(names) > 0:
		defer func(h string) { st.hint = h }(st.hint)
		st.hint = ""
		v, err := st.gen(append(names, &node{loc: firstLoc(names), types: tStr, hasType: true, maxLen: unbounded, maxItems: unbounded, maxProps: unbounded, maxContains: unbounded}), depth+1)
		if err != nil {
			return "", false
		}
		k, _ = v.(string)
	default:
		k = strings.ToLower(st.faker.Word())
		if st.rng.IntN(2) == 0 {
			k += strconv.Itoa(st.rng.IntN(100))
		}
	}
	if has[k] || allowedKey(exp, k) != "" {
		return "", false
	}
	return k, true
}

// whyNot explains, as well as it can, why v fails n although it was
// generated for it: the applicators are where that happens.
func whyNot(n *node, v any) *SchemaError {
	if len(n.oneOf) > 0 {
		var hits []string
		for _, b := range n.oneOf {
			if match(b, v) {
				hits = append(hits, b.loc)
			}
		}
		if len(hits) > 1 {
			return schemaErr(n.loc, "oneOf", "generated values keep matching several branches (%s): oneOf needs exactly one, do the branches overlap?", strings.Join(hits, ", "))
		}
		if len(hits) == 0 {
			return schemaErr(n.loc, "oneOf", "no value satisfying the schema matches any oneOf branch")
		}
	}
	if n.not != nil && match(n.not, v) {
		return schemaErr(n.loc, "not", "generated values keep matching the \"not\" schema %s", n.not.loc)
	}
	if len(n.anyOf) > 0 && !slices.ContainsFunc(n.anyOf, func(b *node) bool { return match(b, v) }) {
		return schemaErr(n.loc, "anyOf", "no value satisfying the schema matches any anyOf branch")
	}
	if n.ifN != nil {
		if match(n.ifN, v) {
			if n.thenN != nil && !match(n.thenN, v) {
				return schemaErr(n.loc, "then", "values matching \"if\" do not satisfy \"then\"")
			}
		} else if n.elseN != nil && !match(n.elseN, v) {
			return schemaErr(n.loc, "else", "values not matching \"if\" do not satisfy \"else\"")
		}
	}
	return schemaErr(n.loc, "", "generated values do not satisfy the schema: its constraints conflict")
}

// numHints are realistic ranges for numbers by (normalised) name.
var numHints = map[string][2]int64{
	"age": {1, 99}, "year": {1970, 2035}, "month": {1, 12}, "day": {1, 28}, "hour": {0, 23},
	"minute": {0, 59}, "second": {0, 59}, "lat": {-90, 90}, "latitude": {-90, 90},
	"lng": {-180, 180}, "lon": {-180, 180}, "longitude": {-180, 180}, "percent": {0, 100},
	"percentage": {0, 100}, "port": {1024, 65535}, "rating": {1, 5}, "stars": {1, 5},
	"score": {0, 100}, "count": {0, 100}, "numusers": {0, 100}, "total": {0, 1000},
	"quantity": {1, 20}, "qty": {1, 20}, "price": {1, 500}, "amount": {1, 1000},
}

// hintRange narrows r to a realistic range for the property name being
// generated, when the schema's own bounds allow it.
func (st *state) hintRange(r numRange, integer bool) numRange {
	if st.hint == "" {
		return r
	}
	h, ok := numHints[normFormat(st.hint)]
	if !ok {
		h, ok = numHints[lastWord(st.hint)]
	}
	if !ok {
		return r
	}
	n := r
	if lo := new(big.Rat).SetInt64(h[0]); n.min == nil || n.min.Cmp(lo) < 0 {
		n.min, n.exMin = lo, false
	}
	if hi := new(big.Rat).SetInt64(h[1]); n.max == nil || n.max.Cmp(hi) > 0 {
		n.max, n.exMax = hi, false
	}
	if integer {
		if _, _, _, ok := n.intRange(); !ok {
			return r
		}
	} else if n.numEmpty() {
		return r
	}
	return n
}
