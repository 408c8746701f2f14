package app

import (
	"encoding/json"
	"io/fs"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"guanai/templates"
)

// Languages: zh-CN is the default; English is the other.
const (
	langZh = "zh-CN"
	langEn = "en"
)

var langMatcher = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English})

// pickLang chooses the language from the cookie, else Accept-Language, else zh-CN.
func pickLang(cookie, acceptLanguage string) string {
	switch cookie {
	case langZh, langEn:
		return cookie
	}
	if acceptLanguage == "" {
		return langZh
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return langZh
	}
	_, idx, conf := langMatcher.Match(tags...)
	if idx == 1 && conf != language.No {
		return langEn
	}
	return langZh
}

// translator holds both languages' messages, loaded once from templates/locales.
type translator struct {
	zh, en *localizer
}

func newTranslator() *translator {
	bundle := i18n.NewBundle(language.SimplifiedChinese)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	// Messages are split by area (accounts.zh-CN.json, fund.en.json, ...); the language is in the file name.
	files, err := fs.Glob(templates.FS, "locales/*.json")
	if err != nil || len(files) == 0 {
		panic("app: no message files")
	}
	var ids []string
	for _, f := range files {
		mf, err := bundle.LoadMessageFileFS(templates.FS, f)
		if err != nil {
			panic("app: " + err.Error()) // the files are embedded: a broken one is a build mistake
		}
		for _, m := range mf.Messages {
			ids = append(ids, m.ID)
		}
	}
	return &translator{zh: newLocalizer(bundle, langZh, ids), en: newLocalizer(bundle, langEn, ids)}
}

// newLocalizer resolves every message that takes no values once, at start: a page asks for a hundred of them.
func newLocalizer(bundle *i18n.Bundle, lang string, ids []string) *localizer {
	l := &localizer{lang: lang, l: i18n.NewLocalizer(bundle, lang), fixed: map[string]string{}}
	for _, id := range ids {
		if s := l.localize(id, nil); !strings.Contains(s, "<no value>") {
			l.fixed[id] = s
		}
	}
	return l
}

func (t *translator) localizer(lang string) *localizer {
	if lang == langEn {
		return t.en
	}
	return t.zh
}

// localizer translates message IDs for one language.
type localizer struct {
	lang  string
	l     *i18n.Localizer
	fixed map[string]string // id → text of the messages that take no values; read-only after newLocalizer
}

// T translates id; args are name/value pairs for the message's {{.Name}} fields. A missing message shows its
// id, which a test catches, rather than an empty string a person would not notice.
func (l *localizer) T(id string, args ...any) string {
	if len(args) == 0 {
		if s, ok := l.fixed[id]; ok {
			return s
		}
		return l.localize(id, nil)
	}
	var data map[string]any
	if len(args) > 1 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			if k, ok := args[i].(string); ok {
				data[k] = args[i+1]
			}
		}
	}
	return l.localize(id, data)
}

func (l *localizer) localize(id string, data map[string]any) string {
	s, err := l.l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil || s == "" {
		return id
	}
	return s
}
