package site

import (
	"context"
	"io"
	"io/fs"
	"strings"
	"sync"

	"github.com/a-h/templ"
)

// ServedPage is a page of mtlsplay serve's page listener that is not part of
// the site (its /try/), shown in the site's layout: the site's navigation (with
// this page current), stylesheet and footer around the page's own <main
// id="main">. The server writes the content; the site owns how a page looks.
type ServedPage struct {
	Path        string // where the listener serves it, from the site's root, ending in "/": "try/"
	Title       string
	Description string
	Icon        string // its icon's URL from the site's root; "" for the site's (none)
	Script      string // its own script's URL from the site's root, loaded deferred; "" for none
}

// tryNav is the navigation entry (page.Active) of /try/, which only served pages
// link; tryPath is where it is.
const tryNav, tryPath = "try", "try/"

// Page renders main inside the layout as Handler's pages are rendered: the
// embedded assets' versioned stylesheet and the navigation of their documents.
func (s ServedPage) Page(main templ.Component) templ.Component { return s.page(servedChrome(), main) }

func (s ServedPage) page(c chrome, main templ.Component) templ.Component {
	root := strings.Repeat("../", strings.Count(s.Path, "/"))
	p := page{Title: s.Title, Description: s.Description, Root: root, Assets: c.urls, Served: true, Nav: c.nav}
	if s.Path == tryPath {
		p.Active = tryNav
	}
	if s.Icon != "" {
		p.Icon = root + s.Icon
	}
	if s.Script != "" {
		p.Script = root + s.Script
	}
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		return layout(p).Render(templ.WithChildren(ctx, main), w)
	})
}

// chrome is what every served page's layout needs of the assets.
type chrome struct {
	urls assetURLs
	nav  []navItem
}

// servedChrome is chromeOf the embedded assets, read once.
var servedChrome = sync.OnceValue(func() chrome { return chromeOf(Assets()) })

// chromeOf reads the stylesheet's URL and the navigation from assets. Without
// them (a fresh clone, before web/build) Handler answers every asset with 503,
// so the page links no stylesheet, and the navigation lists the template pages
// only.
func chromeOf(assets fs.FS) chrome {
	if checkAssets(assets) != nil {
		return chrome{nav: navigation(nil)}
	}
	docs, _ := readDocs(assets)
	return chrome{urls: assetURLsOf(readManifest(assets), options{wasm: wasmRaw, served: true}), nav: navigation(docs)}
}
