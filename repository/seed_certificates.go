package repository

import (
	"crypto/rand"
	"fmt"
	mathrand "math/rand/v2"
	"time"

	"guanai/domain"
)

// The bulk seed's hours certificates: about one volunteer in three with confirmed hours has asked for the certificate
// of his last twelve months, on a day of the month before the seed's day. Each is issued as IssueCertificate would
// issue it — the figures and the services counted stored with it — in one INSERT … SELECT over the loaded services,
// with codes from crypto/rand like the app's.

// seedCertificateShare is the share of volunteers with hours who hold a certificate, one in this many.
const seedCertificateShare = 3

func (sd *seeder) loadCertificates() error {
	rows, err := sd.tx.Query(sd.ctx, `SELECT user_id FROM volunteer_profiles WHERE confirmed_minutes > 0 ORDER BY user_id`)
	if err != nil {
		return err
	}
	// A generator of its own, so the stages after this one draw what they drew before certificates were seeded.
	rng := mathrand.New(mathrand.NewPCG(sd.o.Seed, 0xce471f1ca7e5))
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		if rng.IntN(seedCertificateShare) == 0 {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	codes, days := make([]string, len(ids)), make([]string, len(ids))
	for i := range ids {
		if codes[i], err = domain.NewCertificateCode(rand.Reader); err != nil {
			return err
		}
		days[i] = sd.now.AddDate(0, 0, -1-rng.IntN(30)).Format(time.DateOnly)
	}
	sd.o.Progress(SeedProgress{Stage: "certificates", Total: len(ids)})
	stars := make([]int64, len(domain.DefaultStarHours))
	for i, h := range domain.DefaultStarHours {
		stars[i] = int64(h)
	}
	tag, err := sd.tx.Exec(sd.ctx, `WITH asked AS (
			SELECT x.volunteer_id, x.code, x.day AS period_to, (x.day - interval '1 year' + interval '1 day')::date AS period_from,
				x.day + time '10:00' AT TIME ZONE 'Asia/Shanghai' AS issued_at
			FROM unnest($1::bigint[], $2::text[], $3::date[]) AS x (volunteer_id, code, day)),
		counted AS (
			SELECT a.*, s.services, s.minutes, s.n, p.programs
			FROM asked a,
			LATERAL (SELECT json_agg(json_build_object('date', v.day, 'program_zh', v.program_zh, 'program_en', v.program_en,
					'minutes', v.minutes) ORDER BY v.checked_in_at, v.id) AS services, coalesce(sum(v.minutes), 0) AS minutes, count(*) AS n
				FROM (SELECT sv.id, sv.checked_in_at, sv.minutes, pr.name_zh AS program_zh, pr.name_en AS program_en,
						to_char(sv.checked_in_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day
					FROM care_services sv JOIN care_requests r ON r.id = sv.request_id JOIN programs pr ON pr.id = r.program_id
					WHERE sv.volunteer_id = a.volunteer_id AND sv.status = 'confirmed'
						AND sv.checked_in_at >= a.period_from::timestamp AT TIME ZONE 'Asia/Shanghai'
						AND sv.checked_in_at < (a.period_to + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'
						AND sv.confirmed_at < a.issued_at) v) s,
			LATERAL (SELECT json_agg(json_build_object('program_zh', g.program_zh, 'program_en', g.program_en,
					'minutes', g.minutes, 'services', g.services) ORDER BY g.first) AS programs
				FROM (SELECT e->>'program_zh' AS program_zh, e->>'program_en' AS program_en, sum((e->>'minutes')::int) AS minutes,
						count(*) AS services, min(o) AS first
					FROM json_array_elements(s.services) WITH ORDINALITY AS t (e, o) GROUP BY 1, 2) g) p
			WHERE s.n > 0),
		numbered AS (SELECT nextval(pg_get_serial_sequence('certificates', 'id')) AS id, c.* FROM counted c)
		INSERT INTO certificates (id, volunteer_id, number, code, period_from, period_to, holder_name, holder_name_masked,
			id_number_masked, minutes, service_count, total_minutes, star_level, organisation_zh, organisation_en, programs,
			services, issued_at)
		SELECT n.id, n.volunteer_id,
			'GAZY-' || extract(year FROM n.issued_at AT TIME ZONE 'Asia/Shanghai') || '-' || lpad(n.id::text, 6, '0'),
			n.code, n.period_from, n.period_to, u.name, left(u.name, 1) || '**', vp.id_number_masked, n.minutes, n.n,
			vp.confirmed_minutes, (SELECT count(*) FROM unnest($4::bigint[]) h WHERE vp.confirmed_minutes >= h * 60),
			$5, $6, n.programs, n.services, n.issued_at
		FROM numbered n JOIN users u ON u.id = n.volunteer_id JOIN volunteer_profiles vp ON vp.user_id = n.volunteer_id`,
		ids, codes, days, stars, domain.CertificateIssuerZh, domain.CertificateIssuerEn)
	if err != nil {
		return fmt.Errorf("certificates: %w", err)
	}
	sd.o.Progress(SeedProgress{Stage: "certificates", Done: int(tag.RowsAffected()), Total: len(ids)})
	return nil
}
