package bundle

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Doc is one Markdown document of docs/, rendered to an HTML fragment for the site's
// layout (docs.json in the build output; package site wraps it in its pages).
type Doc struct {
	Slug        string `json:"slug"`        // the page: docs/<slug>.html
	Nav         string `json:"nav"`         // its entry in the site's navigation
	Title       string `json:"title"`       // the text of the first level-1 heading
	Description string `json:"description"` // the page's meta description
	Source      string `json:"source"`      // the Markdown file, relative to the repository root
	HTML        string `json:"html"`
}

// The Markdown documents that become pages of the site, in the navigation's order
// (after the pages the site's templates make).
var markdownDocs = []Doc{
	{Slug: "formulas", Nav: "Formulas", Source: "docs/workato.md", Description: "Workato-style formulas: the supported subset, Ruby's include? on lists and strings, the CEL translation, and every rule warning with an example."},
	{Slug: "troubleshooting", Nav: "Troubleshooting", Source: "docs/troubleshooting.md", Description: "Why an mTLS connection fails: from each symptom to its causes, with the decision codes, the findings and mtlsplay probe."},
	{Slug: "suites", Nav: "Test suites", Source: "docs/suites.md", Description: "Rule test suites: the certificates a rule must pass and must refuse, mtlsplay test in CI with JUnit, and a serve config that tests itself before it starts."},
	{Slug: "export", Nav: "Export", Source: "docs/export.md", Description: "mtlsplay export: a rule as nginx maps, HAProxy ACLs, a Caddy CEL matcher or Envoy RBAC, what each gateway can and cannot express, with an example for each."},
	{Slug: "delegate", Nav: "Delegate", Source: "docs/delegate.md", Description: "Let nginx, Caddy, Traefik or Envoy ask mtlsplay for the decision on every request: the authorization endpoint, trusted proxies and copy-paste recipes."},
	{Slug: "server", Nav: "Self-hosting", Source: "docs/server.md", Description: "mtlsplay serve: the config file with every field, the mTLS echo endpoint's answers (JSON, text, HTML), /try/ and the demo's .p12 files."},
}

// siteLinks are the site's own pages that a document may link to, relative to docs/.
var siteLinks = map[string]bool{
	"index.html": true, "rules.html": true, "names.html": true, "codes.html": true, "../index.html": true,
}

// RenderDocs renders the Markdown documents under root. A relative link must lead to
// another rendered document (written as its .md file name) or to a page of the site,
// so that every link works on a plain static host; anything else is an error.
func RenderDocs(root string) ([]Doc, error) {
	pages := map[string]string{} // docs/x.md → x.html
	for _, d := range markdownDocs {
		pages[d.Source] = d.Slug + ".html"
	}
	out := make([]Doc, 0, len(markdownDocs))
	for _, d := range markdownDocs {
		src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(d.Source)))
		if err != nil {
			return nil, fmt.Errorf("bundle: docs: %w", err)
		}
		html, title, err := renderMarkdown(d.Source, src, pages)
		if err != nil {
			return nil, err
		}
		if title == "" {
			return nil, fmt.Errorf("bundle: docs: %s has no level-1 heading for the page's title", d.Source)
		}
		d.HTML, d.Title = html, title
		out = append(out, d)
	}
	return out, nil
}

// renderMarkdown renders one document: CommonMark with GitHub's tables and
// strikethrough, raw HTML left out (the site's CSP and the textContent rule hold for
// the docs too), heading ids for links, and table alignment as attributes rather than
// the style attributes the CSP blocks.
func renderMarkdown(name string, src []byte, pages map[string]string) (html, title string, err error) {
	lt := &linkTransformer{name: name, pages: pages}
	md := goldmark.New(
		goldmark.WithExtensions(
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
		),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithASTTransformers(util.Prioritized(lt, 100)),
		),
	)
	var b bytes.Buffer
	if err := md.Convert(src, &b); err != nil {
		return "", "", fmt.Errorf("bundle: docs: %s: %w", name, err)
	}
	if len(lt.errs) > 0 {
		return "", "", fmt.Errorf("bundle: docs: %s: %s", name, strings.Join(lt.errs, "; "))
	}
	return b.String(), lt.title, nil
}

// snakeID is a code span that names something with a stable id: a finding
// (`missing_intermediate`), a lint (`san_no_prefix`).
var snakeID = regexp.MustCompile(`^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$|^[a-z]+$`)

// linkTransformer rewrites links between the documents (x.md → x.html), checks that
// every relative link leads somewhere on the site, records the title, and gives a
// heading or a table row that starts with a snake_case code span that name as its id,
// so the page can link to a finding's or a lint's entry (troubleshooting.html#expired).
type linkTransformer struct {
	name  string
	pages map[string]string
	title string
	errs  []string
}

func (t *linkTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	used := map[string]bool{} // the headings' automatic ids, then the ones given here
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering && leadingID(h, src) == "" {
			if id, ok := h.AttributeString("id"); ok {
				used[string(id.([]byte))] = true
			}
		}
		return ast.WalkContinue, nil
	})
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			if n.Level == 1 && t.title == "" {
				t.title = plainText(n, src)
			}
			if id := leadingID(n, src); id != "" && !used[id] {
				used[id] = true
				n.SetAttributeString("id", []byte(id))
			}
		case *ast.Link:
			n.Destination = []byte(t.rewrite(string(n.Destination)))
		}
		if n.Kind() == east.KindTableRow {
			if cell := n.FirstChild(); cell != nil {
				if id := leadingID(cell, src); id != "" && !used[id] {
					used[id] = true
					n.SetAttributeString("id", []byte(id))
				}
			}
		}
		return ast.WalkContinue, nil
	})
}

// rewrite maps a link's destination to the site.
func (t *linkTransformer) rewrite(dest string) string {
	u, err := url.Parse(dest)
	if err != nil {
		t.errs = append(t.errs, fmt.Sprintf("link %q: %v", dest, err))
		return dest
	}
	if u.Scheme != "" || u.Host != "" || u.Path == "" {
		return dest // another site, or a fragment of this page
	}
	target := path.Join(path.Dir(t.name), u.Path)
	if page, ok := t.pages[target]; ok {
		u.Path = page
		return u.String()
	}
	if rel := strings.TrimPrefix(u.Path, "./"); siteLinks[rel] {
		return dest
	}
	t.errs = append(t.errs, fmt.Sprintf("link %q leads to %s, which is not a page of the site (link a document of docs/ by its .md name, or a site page such as codes.html)", dest, target))
	return dest
}

// leadingID returns the snake_case text of a code span that begins n, or "".
func leadingID(n ast.Node, src []byte) string {
	c, ok := n.FirstChild().(*ast.CodeSpan)
	if !ok {
		return ""
	}
	s := plainText(c, src)
	if !snakeID.MatchString(s) {
		return ""
	}
	return s
}

// plainText is the text of n's inline content.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			switch c := c.(type) {
			case *ast.Text:
				b.Write(c.Value(src))
			case *ast.String:
				b.Write(c.Value)
			}
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}
