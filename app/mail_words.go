package app

import (
	"slices"
	"strings"

	"guanai/repository"
)

// mailer is how the background jobs mail: this app's words, and the sender the configuration gives.
func (a *App) mailer() repository.Mailer {
	return repository.Mailer{Sender: a.sender, Word: a.wordMail}
}

// wordMail is a mail's subject and text in the recipient's language: a notification says what its inbox line
// says, with a link to it (which opens what it is about); a verification gives its link and how long it works.
func (a *App) wordMail(l repository.Letter) (subject, body string) {
	p := &Page{Lang: l.Lang, loc: a.tr.localizer(l.Lang)}
	name := l.Name
	if name == "" {
		name = p.T("mail.you")
	}
	if l.Note == nil {
		link := a.cfg.BaseURL + "/account/email/verify/" + l.Token
		return p.T("mail.verify.subject"), p.T("mail.verify.body", "Name", name, "Email", l.Email, "Link", link,
			"Hours", int(repository.EmailLinkLifetime.Hours()))
	}
	kind := p.T("inbox.kind.other")
	if slices.Contains(inboxKinds, l.Note.Kind) {
		kind = p.T("inbox.kind." + l.Note.Kind)
	}
	link := a.cfg.BaseURL + "/inbox/" + itoa64(l.Note.ID)
	// A subject is one line: the kind's sentence; the detail (a reason someone typed) goes in the text.
	return p.T("mail.note.subject", "Sentence", oneLine(kind)), p.T("mail.note.body", "Name", name,
		"Sentence", inboxSentence(p, *l.Note), "Link", link, "Settings", a.cfg.BaseURL+"/account/notifications")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
