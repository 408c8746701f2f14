-- +goose Up
-- E-mail delivery of notifications (repository/mail.go, docs/operations.md "E-mail").

-- A person may give an e-mail address; nothing is mailed to it until a link sent to it has been followed
-- (email_verified_at). Changing the address clears the verification. mail_lang is the language the person was
-- using when they last set the address or their choices: mails are worded in it.
ALTER TABLE users
    ADD COLUMN email             text CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%'),
    ADD COLUMN email_verified_at timestamptz,
    ADD COLUMN mail_lang         text NOT NULL DEFAULT 'zh-CN' CHECK (mail_lang IN ('zh-CN', 'en')),
    ADD CONSTRAINT users_email_verified_has_email CHECK (email_verified_at IS NULL OR email IS NOT NULL),
    ADD CONSTRAINT users_closed_has_no_email CHECK (status <> 'closed' OR email IS NULL);

-- A verification link's token, kept as its SHA-256 like password_resets: the token itself is only in the mail.
-- It proves the address it was sent to; a link for an address the person has since changed proves nothing.
CREATE TABLE email_verifications (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id),
    email      text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX email_verifications_user_idx ON email_verifications (user_id);

-- Which kinds of notification a person also wants by mail. A kind without a row takes its default (the urgent
-- kinds on, the rest off: repository.MailDefault), so only a choice a person made is stored.
CREATE TABLE mail_preferences (
    user_id bigint NOT NULL REFERENCES users (id),
    kind    text NOT NULL CHECK (kind ~ '^[a-z_]{1,40}$'),
    send    boolean NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- +goose Down
DROP TABLE mail_preferences, email_verifications;
ALTER TABLE users DROP CONSTRAINT users_closed_has_no_email, DROP CONSTRAINT users_email_verified_has_email,
    DROP COLUMN mail_lang, DROP COLUMN email_verified_at, DROP COLUMN email;
