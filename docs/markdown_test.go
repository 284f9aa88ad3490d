package docs

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"paragraph", "hello\nworld", "<p>hello world</p>\n"},
		{"escape", "<b>x</b> & y", "<p>&lt;b&gt;x&lt;/b&gt; &amp; y</p>\n"},
		{"heading", "# Top\n## Sub", "<h3>Top</h3>\n<h4>Sub</h4>\n"},
		{"not heading", "#hashtag", "<p>#hashtag</p>\n"},
		{"list", "- a\n- b\n\ntext", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<p>text</p>\n"},
		{"list continuation", "- a\n  more\n- b", "<ul>\n<li>a more</li>\n<li>b</li>\n</ul>\n"},
		{"ordered", "1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n"},
		{"fence", "```json\n{\"a\": \"<x>\"}\n```", "<pre><code>{&#34;a&#34;: &#34;&lt;x&gt;&#34;}</code></pre>\n"},
		{"fence indented", "  ```\n  a\n    b\n  ```", "<pre><code>a\n  b</code></pre>\n"},
		{"quote", "> quoted *text*", "<blockquote><p>quoted <em>text</em></p>\n</blockquote>\n"},
		{"code span", "use `a<b`", "<p>use <code>a&lt;b</code></p>\n"},
		{"strong em", "**bold** and *em* and _em_", "<p><strong>bold</strong> and <em>em</em> and <em>em</em></p>\n"},
		{"snake_case", "a snake_case_name", "<p>a snake_case_name</p>\n"},
		{"link", "[docs](https://x.io/a?b=1&c=2)", `<p><a href="https://x.io/a?b=1&amp;c=2" rel="noopener noreferrer">docs</a></p>` + "\n"},
		{"relative link", "[up](#top)", `<p><a href="#top">up</a></p>` + "\n"},
		{"js link", "[x](javascript:alert(1))", "<p>x</p>\n"},
		{"parens in url", "[A](https://w.org/A_(b))", `<p><a href="https://w.org/A_(b)" rel="noopener noreferrer">A</a></p>` + "\n"},
		{"data link", "[x](data:text/html,hi)", "<p>x</p>\n"},
		{"bare url", "see https://socket.io/demos/chat/.", `<p>see <a href="https://socket.io/demos/chat/" rel="noopener noreferrer">https://socket.io/demos/chat/</a>.</p>` + "\n"},
		{"angle url", "<https://a.b>", `<p><a href="https://a.b" rel="noopener noreferrer">https://a.b</a></p>` + "\n"},
		{"quote in url", `https://a.b/"onmouseover=x`, `<p><a href="https://a.b/" rel="noopener noreferrer">https://a.b/</a>&#34;onmouseover=x</p>` + "\n"},
		{"utf8", "café – ünïcode", "<p>café – ünïcode</p>\n"},
		{"crlf", "a\r\n\r\nb", "<p>a</p>\n<p>b</p>\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(markdown(tc.in)); got != tc.want {
				t.Errorf("markdown(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{
		"# h\n- a\n- b\n```\ncode\n```\n> q", "[a](javascript:x) <script>", "**x *y* z**",
		"https://a.b/c?d=<e>", "`unterminated", "[[nested](#a)](#b)", "1) one\n2) two",
	} {
		f.Add(s)
	}
	tag := regexp.MustCompile(`^</?(p|h[3-6]|ul|ol|li|pre|code|blockquote|strong|em|a)[ >]`)
	href := regexp.MustCompile(`<a href="([^"]*)"`)
	f.Fuzz(func(t *testing.T, s string) {
		out := string(markdown(s)) + string(inlineMarkdown(s))
		// Only our own tags: every other "<" of the input was escaped.
		for i := strings.IndexByte(out, '<'); i >= 0; {
			if !tag.MatchString(out[i:]) {
				t.Fatalf("markdown(%q) produced a foreign tag at %q", s, out[i:min(len(out), i+20)])
			}
			j := strings.IndexByte(out[i+1:], '<')
			if j < 0 {
				break
			}
			i += j + 1
		}
		for _, m := range href.FindAllStringSubmatch(out, -1) {
			u := strings.ToLower(html.UnescapeString(m[1]))
			if c := strings.IndexByte(u, ':'); c >= 0 && !strings.ContainsAny(u[:c], "/?#") &&
				!strings.HasPrefix(u, "http:") && !strings.HasPrefix(u, "https:") && !strings.HasPrefix(u, "mailto:") {
				t.Fatalf("markdown(%q) links to %q", s, m[1])
			}
		}
	})
}
