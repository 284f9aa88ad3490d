package docs

import (
	"html"
	"html/template"
	"strconv"
	"strings"
)

// markdown renders the CommonMark subset that AsyncAPI descriptions use in
// practice: paragraphs, ATX headings, bullet and numbered lists, block
// quotes, fenced code, inline code, emphasis, links and bare URLs. Every
// piece of input text is HTML-escaped; raw HTML in the input is shown as
// text, and only http, https, mailto and relative link targets are kept, so
// a document cannot inject markup or scripts into the page.
func markdown(src string) template.HTML {
	return template.HTML(renderBlocks(src, 0)) //nolint:gosec // every input byte went through html.EscapeString
}

// maxNesting bounds block quotes in block quotes and emphasis in emphasis;
// deeper markup is shown as text, keeping rendering linear in practice.
const maxNesting = 8

func renderBlocks(src string, depth int) string {
	lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(src, "\r\n", "\n"), "\r", "\n"), "\n")
	var out strings.Builder
	var para []string
	list := "" // "ul" or "ol" while inside a list
	flushPara := func() {
		if len(para) > 0 {
			out.WriteString("<p>")
			out.WriteString(inline(strings.Join(para, " ")))
			out.WriteString("</p>\n")
			para = para[:0]
		}
	}
	closeList := func() {
		if list != "" {
			out.WriteString("</" + list + ">\n")
			list = ""
		}
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~"):
			flushPara()
			closeList()
			fence := trimmed[:3]
			indent := len(line) - len(strings.TrimLeft(line, " "))
			var code []string
			for i++; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), fence); i++ {
				l := lines[i]
				if len(l)-len(strings.TrimLeft(l, " ")) >= indent {
					l = l[indent:]
				}
				code = append(code, l)
			}
			out.WriteString("<pre><code>")
			out.WriteString(html.EscapeString(strings.Join(code, "\n")))
			out.WriteString("</code></pre>\n")
		case trimmed == "":
			flushPara()
			closeList()
		case headingLevel(trimmed) > 0:
			flushPara()
			closeList()
			lvl := headingLevel(trimmed)
			tag := "h" + strconv.Itoa(min(lvl+2, 6))
			text := strings.TrimRight(strings.TrimSpace(trimmed[lvl:]), "#")
			out.WriteString("<" + tag + ">" + inline(strings.TrimSpace(text)) + "</" + tag + ">\n")
		case listItem(trimmed) != "":
			flushPara()
			kind := listItem(trimmed)
			if list != kind {
				closeList()
				out.WriteString("<" + kind + ">\n")
				list = kind
			}
			item := listText(trimmed)
			// Continuation lines of the item: indented, not a new item.
			for i+1 < len(lines) {
				next := lines[i+1]
				nt := strings.TrimSpace(next)
				if nt == "" || listItem(nt) != "" || !strings.HasPrefix(next, " ") {
					break
				}
				item += " " + nt
				i++
			}
			out.WriteString("<li>" + inline(item) + "</li>\n")
		case strings.HasPrefix(trimmed, ">") && depth < maxNesting:
			flushPara()
			closeList()
			var quote []string
			for ; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), ">"); i++ {
				quote = append(quote, strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(lines[i]), ">"), " "))
			}
			i--
			out.WriteString("<blockquote>" + renderBlocks(strings.Join(quote, "\n"), depth+1) + "</blockquote>\n")
		default:
			if list != "" {
				closeList()
			}
			para = append(para, trimmed)
		}
	}
	flushPara()
	closeList()
	return out.String()
}

// inlineMarkdown renders a one-paragraph description without block markup.
func inlineMarkdown(src string) template.HTML {
	return template.HTML(inline(strings.Join(strings.Fields(src), " "))) //nolint:gosec // escaped by inline
}

func headingLevel(s string) int {
	n := 0
	for n < len(s) && n < 7 && s[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || (n < len(s) && s[n] != ' ') {
		return 0
	}
	return n
}

func listItem(s string) string {
	if len(s) >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && s[1] == ' ' {
		return "ul"
	}
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i+1 < len(s) && (s[i] == '.' || s[i] == ')') && s[i+1] == ' ' {
		return "ol"
	}
	return ""
}

func listText(s string) string {
	if s[0] == '-' || s[0] == '*' || s[0] == '+' {
		return strings.TrimSpace(s[2:])
	}
	i := strings.IndexAny(s, ".)")
	return strings.TrimSpace(s[i+1:])
}

// inline renders code spans, links, bare URLs and emphasis, escaping the rest.
func inline(s string) string { return inlineDepth(s, 0) }

func inlineDepth(s string, depth int) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '`':
			if j := strings.IndexByte(s[i+1:], '`'); j >= 0 {
				b.WriteString("<code>" + html.EscapeString(s[i+1:i+1+j]) + "</code>")
				i += j + 2
				continue
			}
		case c == '[' && depth < maxNesting:
			if end, text, href, ok := parseLink(s[i:]); ok {
				writeLink(&b, href, inlineDepth(text, depth+1))
				i += end
				continue
			}
		case c == '<':
			if j := strings.IndexByte(s[i:], '>'); j > 0 {
				if u := s[i+1 : i+j]; isURL(u) && !strings.ContainsAny(u, " \t") {
					writeLink(&b, u, html.EscapeString(u))
					i += j + 1
					continue
				}
			}
		case c == 'h' && (strings.HasPrefix(s[i:], "https://") || strings.HasPrefix(s[i:], "http://")) && (i == 0 || !isWordByte(s[i-1])):
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n<>\"'`", rune(s[j])) {
				j++
			}
			for j > i && strings.ContainsRune(".,;:!?)]*_", rune(s[j-1])) {
				j--
			}
			u := s[i:j]
			writeLink(&b, u, html.EscapeString(u))
			i = j
			continue
		case (c == '*' || c == '_') && depth < maxNesting:
			if i+1 < len(s) && s[i+1] == c {
				if j := strings.Index(s[i+2:], string([]byte{c, c})); j > 0 {
					b.WriteString("<strong>" + inlineDepth(s[i+2:i+2+j], depth+1) + "</strong>")
					i += j + 4
					continue
				}
			} else if (i == 0 || !isWordByte(s[i-1])) && i+1 < len(s) && s[i+1] != ' ' {
				if j := strings.IndexByte(s[i+1:], c); j > 0 && s[i+j] != ' ' && (i+j+2 >= len(s) || !isWordByte(s[i+j+2])) {
					b.WriteString("<em>" + inlineDepth(s[i+1:i+1+j], depth+1) + "</em>")
					i += j + 2
					continue
				}
			}
		}
		b.WriteString(html.EscapeString(s[i : i+1]))
		i++
	}
	return b.String()
}

// parseLink parses "[text](href)" at the start of s.
func parseLink(s string) (end int, text, href string, ok bool) {
	depth := 0
	// Link text is short; not scanning far keeps "[[[[..." linear.
	for i := 0; i < len(s) && i < 1024; i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				if i+1 >= len(s) || s[i+1] != '(' {
					return 0, "", "", false
				}
				// The target ends at the ")" that balances "(", so
				// "(https://en.wikipedia.org/wiki/A_(b))" stays whole.
				j, open := -1, 1
				for k := i + 2; k < len(s) && k < i+2+2048; k++ {
					if s[k] == '(' {
						open++
					} else if s[k] == ')' {
						if open--; open == 0 {
							j = k - (i + 2)
							break
						}
					}
				}
				if j < 0 {
					return 0, "", "", false
				}
				href = strings.TrimSpace(s[i+2 : i+2+j])
				if k := strings.IndexAny(href, " \t"); k >= 0 { // drop a "title"
					href = href[:k]
				}
				return i + 3 + j, s[1:i], strings.Trim(href, "<>"), true
			}
		}
	}
	return 0, "", "", false
}

func writeLink(b *strings.Builder, href, innerHTML string) {
	if !safeHref(href) {
		b.WriteString(innerHTML)
		return
	}
	b.WriteString(`<a href="` + html.EscapeString(href) + `"`)
	if isURL(href) {
		b.WriteString(` rel="noopener noreferrer"`)
	}
	b.WriteString(">" + innerHTML + "</a>")
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "mailto:")
}

// safeHref allows absolute http(s) and mailto links and scheme-less relative
// ones; "javascript:", "data:" and every other scheme are refused.
func safeHref(h string) bool {
	if h == "" || isURL(h) {
		return h != ""
	}
	colon := strings.IndexByte(h, ':')
	if colon < 0 {
		return true
	}
	return strings.ContainsAny(h[:colon], "/?#")
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
