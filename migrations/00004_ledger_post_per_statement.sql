-- +goose Up
-- Balances move once per statement instead of once per entry row. A row trigger updated the same two or three
-- account rows once per entry; within one long transaction (a bank statement import, a bulk load) each update
-- had to walk every earlier version of the row, so the cost grew with the square of the entries. The pool's
-- CHECK still refuses an overdraft at the end of the statement that would cause it.
-- +goose StatementBegin
CREATE FUNCTION ledger_entries_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts a SET balance = a.balance + s.total
    FROM (SELECT account_id, sum(amount) AS total FROM new_entries GROUP BY account_id) s
    WHERE a.id = s.account_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP TRIGGER ledger_entries_post ON ledger_entries;
DROP FUNCTION ledger_entry_post();
CREATE TRIGGER ledger_entries_post AFTER INSERT ON ledger_entries REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_post();

-- +goose Down
-- +goose StatementBegin
CREATE FUNCTION ledger_entry_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts SET balance = balance + NEW.amount WHERE id = NEW.account_id;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
DROP TRIGGER ledger_entries_post ON ledger_entries;
DROP FUNCTION ledger_entries_post();
CREATE TRIGGER ledger_entries_post AFTER INSERT ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_entry_post();
