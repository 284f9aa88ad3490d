package fake

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// regexGen generates strings matching a regular expression of the common
// subset: literals, classes, ranges, anchors, ?, *, +, {m,n}, alternation
// and groups.
type regexGen struct {
	re          *syntax.Regexp
	anchorStart bool // the pattern starts with ^ (nothing may be prepended)
	anchorEnd   bool // the pattern ends with $ (nothing may be appended)
}

// compilePattern compiles pat for matching (Go regexp, like the validator)
// and for generation. Unsupported constructs are reported by name.
func compilePattern(pat string) (*regexp.Regexp, *regexGen, error) {
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, nil, fmt.Errorf("invalid or unsupported regular expression %q: %w", pat, err)
	}
	sre, err := syntax.Parse(pat, syntax.Perl)
	if err != nil {
		return re, nil, fmt.Errorf("invalid regular expression %q: %w", pat, err)
	}
	sre = sre.Simplify()
	if err := checkRegexp(sre); err != nil {
		return re, nil, fmt.Errorf("pattern %q: %w", pat, err)
	}
	g := &regexGen{re: sre}
	first, last := sre, sre
	for first.Op == syntax.OpConcat && len(first.Sub) > 0 {
		first = first.Sub[0]
	}
	for last.Op == syntax.OpConcat && len(last.Sub) > 0 {
		last = last.Sub[len(last.Sub)-1]
	}
	g.anchorStart = first.Op == syntax.OpBeginText || first.Op == syntax.OpBeginLine
	g.anchorEnd = last.Op == syntax.OpEndText || last.Op == syntax.OpEndLine
	return re, g, nil
}

func checkRegexp(re *syntax.Regexp) error {
	switch re.Op {
	case syntax.OpWordBoundary:
		return fmt.Errorf("unsupported construct \\b (word boundary) for generation")
	case syntax.OpNoWordBoundary:
		return fmt.Errorf("unsupported construct \\B (non-word boundary) for generation")
	case syntax.OpNoMatch:
		return fmt.Errorf("the expression matches no string")
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return fmt.Errorf("empty character class matches no string")
		}
	}
	for _, s := range re.Sub {
		if err := checkRegexp(s); err != nil {
			return err
		}
	}
	return nil
}

// generate appends a matching string to b. extra bounds how many
// repetitions beyond the minimum an unbounded repeat may add.
func (g *regexGen) generate(rng *rand.Rand, b *strings.Builder, extra int) {
	genRe(g.re, rng, b, extra)
}

func genRe(re *syntax.Regexp, rng *rand.Rand, b *strings.Builder, extra int) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText:
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && rng.IntN(2) == 0 {
				r = unicode.SimpleFold(r)
			}
			b.WriteRune(r)
		}
	case syntax.OpCharClass:
		b.WriteRune(pickFromClass(re.Rune, rng))
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		b.WriteByte(byte(0x21 + rng.IntN(0x7e-0x21+1)))
	case syntax.OpCapture:
		genRe(re.Sub[0], rng, b, extra)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			genRe(s, rng, b, extra)
		}
	case syntax.OpAlternate:
		genRe(re.Sub[rng.IntN(len(re.Sub))], rng, b, extra)
	case syntax.OpQuest:
		if rng.IntN(2) == 0 {
			genRe(re.Sub[0], rng, b, extra)
		}
	case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
		lo, hi := 0, -1
		switch re.Op {
		case syntax.OpPlus:
			lo = 1
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
		}
		if hi < 0 || hi > lo+extra {
			hi = lo + extra
		}
		n := lo
		if hi > lo {
			n += rng.IntN(hi - lo + 1)
		}
		for range n {
			genRe(re.Sub[0], rng, b, extra)
		}
	}
}

// pickFromClass picks a rune from a sorted range list, preferring printable
// ASCII so that fake data stays readable.
func pickFromClass(ranges []rune, rng *rand.Rand) rune {
	var ascii [][2]rune
	total := 0
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := max(ranges[i], 0x20), min(ranges[i+1], 0x7e)
		if lo <= hi {
			ascii = append(ascii, [2]rune{lo, hi})
			total += int(hi-lo) + 1
		}
	}
	if total > 0 && rng.IntN(20) != 0 {
		k := rng.IntN(total)
		for _, r := range ascii {
			w := int(r[1]-r[0]) + 1
			if k < w {
				return r[0] + rune(k)
			}
			k -= w
		}
	}
	for try := range 16 {
		i := rng.IntN(len(ranges)/2) * 2
		lo, hi := ranges[i], min(ranges[i+1], 0xFFFF)
		if lo > hi {
			hi = ranges[i+1]
		}
		r := lo + rune(rng.Int64N(int64(hi-lo)+1))
		if utf8.ValidRune(r) && (unicode.IsGraphic(r) || try >= 12) {
			return r
		}
	}
	return ranges[0]
}
