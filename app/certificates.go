package app

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"guanai/domain"
	"guanai/repository"
)

// A volunteer's hours certificates (志愿服务证明): he chooses a period and issues one (the same one again for the same
// period), prints it on A4, and anyone checks it at /verify/<code>, the link of its QR code.

type certificateForm struct {
	From string `form:"from"`
	To   string `form:"to"`
}

func (a *App) certificateForm(c echo.Context) error {
	p := a.newPage(c, "certificate_new.title")
	from, to := domain.DefaultCertificatePeriod(domain.Today(a.now()))
	p.Form.Set("from", from.Format(time.DateOnly))
	p.Form.Set("to", to.Format(time.DateOnly))
	return a.views.render(c, http.StatusOK, "certificate_new", p)
}

func (a *App) issueCertificate(c echo.Context) error {
	var f certificateForm
	if _, err := checkForm(c, &f); err != nil {
		return err
	}
	ctx := c.Request().Context()
	from, to, fe := domain.CheckCertificatePeriod(f.From, f.To, domain.Today(a.now()))
	var cert repository.Certificate
	err := fe.Err()
	if err == nil {
		var stars []int
		if stars, err = a.starHours(ctx); err == nil {
			cert, err = a.store.IssueCertificate(ctx, actor(c), from, to, stars)
		}
	}
	if fe, ok := fieldErrors(err); ok {
		p := a.newPage(c, "certificate_new.title")
		p.Form, p.Errors = c.Request().PostForm, fe
		return a.views.render(c, http.StatusUnprocessableEntity, "certificate_new", p)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/volunteer/certificates/"+itoa64(cert.ID))
}

type certificateView struct {
	C         repository.Certificate
	Name      string
	From, To  string
	Issued    string
	Hours     string
	Stars     string // ★★☆☆☆
	Programs  []certificateLine
	Services  []certificateLine
	VerifyURL string
	QR        template.HTML // VerifyURL's QR code, an inline SVG (sharp at any print resolution)
}

type certificateLine struct {
	Date, Program, Hours string
	Services             int
}

func (a *App) certificatePage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	cert, err := a.store.VolunteerCertificate(c.Request().Context(), currentUser(c).ID, id)
	if err != nil {
		return err
	}
	p := a.newPage(c, "certificate.title")
	v := certificateView{C: cert, From: p.Date(cert.PeriodFrom), To: p.Date(cert.PeriodTo), Issued: p.Date(cert.IssuedAt),
		Hours: volDuration(p, time.Duration(cert.Minutes)*time.Minute), Name: cert.HolderName,
		Stars:     strings.Repeat("★", cert.StarLevel) + strings.Repeat("☆", 5-cert.StarLevel),
		VerifyURL: a.verifyURL(c, cert.Code)}
	for _, pr := range cert.Programs.V {
		v.Programs = append(v.Programs, certificateLine{Program: pr.Program(p.Lang), Services: pr.Services,
			Hours: volDuration(p, time.Duration(pr.Minutes)*time.Minute)})
	}
	for _, sv := range cert.Services.V {
		day, _ := domain.ParseDate(sv.Date)
		v.Services = append(v.Services, certificateLine{Date: p.Date(day), Program: sv.Program(p.Lang),
			Hours: volDuration(p, time.Duration(sv.Minutes)*time.Minute)})
	}
	if v.QR, err = qrSVG(v.VerifyURL, p.T("certificate.qr_alt")); err != nil {
		return err
	}
	p.Data = v
	return a.views.render(c, http.StatusOK, "certificate", p)
}

// verifyURL is the certificate's public verification link: on the site's address when configured, else on the
// address the request came to.
func (a *App) verifyURL(c echo.Context, code string) string {
	base := strings.TrimSuffix(a.cfg.BaseURL, "/")
	if base == "" {
		base = c.Scheme() + "://" + c.Request().Host
	}
	return base + "/verify/" + code
}

type verifyView struct {
	Found    bool
	Name     string
	Hours    string
	From, To string
}

// verifyCertificate is the public check of a certificate: the masked name, the hours and the period, or — for a
// code no certificate has — a page that says it is not genuine (404). Codes are 100 random bits: trying them finds
// nothing, so the page is not throttled (see domain.CertificateCodeLen); a malformed code costs no query.
func (a *App) verifyCertificate(c echo.Context) error {
	check, err := a.store.VerifyCertificate(c.Request().Context(), c.Param("code"))
	p := a.newPage(c, "verify.title")
	status := http.StatusOK
	var v verifyView
	switch {
	case err == nil:
		v = verifyView{Found: true, Name: check.HolderNameMasked, From: p.Date(check.PeriodFrom), To: p.Date(check.PeriodTo),
			Hours: volDuration(p, time.Duration(check.Minutes)*time.Minute)}
	case errors.Is(err, domain.ErrNotFound):
		status = http.StatusNotFound
	default:
		return err
	}
	p.Data = v
	return a.views.render(c, status, "verify", p)
}

// qrSVG draws the QR code of link as an SVG: one path of its dark modules, the quiet zone included. Drawing it is a
// fraction of encoding a PNG, and it prints sharp. link and label are escaped here: the SVG is our own markup.
func qrSVG(link, label string) (template.HTML, error) {
	q, err := qrcode.New(link, qrcode.Medium)
	if err != nil {
		return "", err
	}
	bits := q.Bitmap()
	var d strings.Builder
	for y, row := range bits {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&d, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="128" height="128" role="img" aria-label="%s" shape-rendering="crispEdges"><rect width="100%%" height="100%%" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		len(bits), len(bits), template.HTMLEscapeString(label), d.String())), nil
}
