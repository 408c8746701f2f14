package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"guanai/app/spreadsheet"
	"guanai/domain"
	"guanai/repository"
)

// exportColumn is one column of an export: its header and its width in Excel character widths. (Not
// spreadsheet.Column itself, so the tables below can stay one line a column.)
type exportColumn struct {
	title string
	width float64
}

// exportShanghaiDate is the Asia/Shanghai date of a moment.
func exportShanghaiDate(t time.Time) spreadsheet.Date { return spreadsheet.DateOf(t.In(shanghai)) }

// exportCalendarDate is the date of a DATE column as the database gives it (midnight UTC), taken as it is.
func exportCalendarDate(t time.Time) spreadsheet.Date { return spreadsheet.DateOf(t) }

// exportSubtotal is the second totals line of a sheet: the amounts of the rows whose column col says the label
// valueKey names (the donations still valid, the disbursements paid).
type exportSubtotal struct {
	col             int
	valueKey, label string
}

// exportLabel names a code in the export's language (Chinese) with the same words the pages use: the message
// files are the one place a state, a channel or a kind is named.
type exportLabel func(key string) string

// exportKind is one of the things that can be exported. Cells of a row are those spreadsheet.Sheet takes.
type exportKind struct {
	name     string // the sheet's name and the start of the Chinese file name
	columns  []exportColumn
	money    int // the amount column, which the totals sum
	subtotal *exportSubtotal
	rows     func(ctx context.Context, s *repository.Store, f repository.ExportFilter, zh exportLabel, emit func([]any) error) error
}

var exportKinds = map[string]exportKind{
	"donations": {
		name: "捐赠明细",
		columns: []exportColumn{{"收据编号", 14}, {"收到日期", 12}, {"捐赠人", 24}, {"捐赠人类型", 10}, {"金额", 16},
			{"渠道", 10}, {"交易参考号", 24}, {"定向项目", 20}, {"经办人", 10}, {"状态", 8}, {"备注", 40}},
		money:    4,
		subtotal: &exportSubtotal{col: 9, valueKey: "donation.valid_tag", label: "其中有效"},
		rows: func(ctx context.Context, s *repository.Store, f repository.ExportFilter, zh exportLabel, emit func([]any) error) error {
			return s.ExportDonations(ctx, f, func(d repository.Donation) error { return emit(exportDonationCells(d, zh)) })
		},
	},
	"disbursements": {
		name: "支出明细",
		columns: []exportColumn{{"编号", 8}, {"创建日期", 12}, {"资金池", 22}, {"金额", 16}, {"收款方", 28}, {"用途", 36},
			{"状态", 8}, {"经办人(制单)", 12}, {"审批人", 10}, {"银行流水号", 24}, {"支付日期", 12}},
		money:    3,
		subtotal: &exportSubtotal{col: 6, valueKey: "disbursement.state_" + domain.DisbursementPaid, label: "其中已支付"},
		rows: func(ctx context.Context, s *repository.Store, f repository.ExportFilter, zh exportLabel, emit func([]any) error) error {
			return s.ExportDisbursements(ctx, f, func(d repository.Disbursement) error { return emit(exportDisbursementCells(d, zh)) })
		},
	},
	"ledger": {
		name:    "账本分录",
		columns: []exportColumn{{"交易编号", 10}, {"日期", 12}, {"类型", 8}, {"账户", 22}, {"借贷金额", 16}, {"摘要", 60}},
		money:   4,
		rows: func(ctx context.Context, s *repository.Store, f repository.ExportFilter, zh exportLabel, emit func([]any) error) error {
			return s.ExportLedger(ctx, f, func(l repository.LedgerExportLine) error { return emit(exportLedgerCells(l, zh)) })
		},
	},
}

// sheet is the kind's table as the spreadsheet writers take it, its words in Chinese.
func (k exportKind) sheet(zh exportLabel) spreadsheet.Sheet {
	s := spreadsheet.Sheet{Name: k.name, TotalLabel: "合计（%d 行）", Amount: k.money}
	for _, col := range k.columns {
		s.Columns = append(s.Columns, spreadsheet.Column{Title: col.title, Width: col.width})
	}
	if st := k.subtotal; st != nil {
		s.Subtotal = &spreadsheet.Subtotal{Column: st.col, Value: zh(st.valueKey), Label: st.label + "（%d 行）"}
	}
	return s
}

// exportKindOrder is the order of the choices on the page.
var exportKindOrder = []string{"donations", "disbursements", "ledger"}

func exportDonationCells(d repository.Donation, zh exportLabel) []any {
	program := zh("donation.unrestricted")
	if d.ProgramCode != "" {
		program = d.ProgramNameZh
	}
	status := zh("donation.valid_tag")
	if d.ReversedAt != nil {
		status = zh("donation.reversed_tag")
	}
	return []any{d.ReceiptNumber, exportCalendarDate(d.ReceivedOn), d.DonorName, zh("donor." + d.DonorKind), spreadsheet.Fen(d.Amount),
		zh("channel." + d.Channel), d.Reference, program, d.RecorderName, status, d.Note}
}

func exportDisbursementCells(d repository.Disbursement, zh exportLabel) []any {
	var paid any
	if d.PaidAt != nil {
		paid = exportShanghaiDate(*d.PaidAt)
	}
	return []any{d.ID, exportShanghaiDate(d.CreatedAt), d.PoolNameZh, spreadsheet.Fen(d.Amount), d.Payee, d.Purpose,
		zh("disbursement.state_" + d.Status), d.MakerName, d.CheckerName, d.BankReference, paid}
}

func exportLedgerCells(l repository.LedgerExportLine, zh exportLabel) []any {
	return []any{l.TransactionID, exportShanghaiDate(l.CreatedAt), zh("ledger.kind_" + l.Kind), l.AccountNameZh, spreadsheet.Fen(l.Amount),
		exportLedgerSummary(l)}
}

// exportLedgerSummary (摘要) says what a transaction was for: the receipt and donor of a donation, the disbursement and
// payee of a payment, the transaction a reversal undoes and why, the reason of an allocation.
func exportLedgerSummary(l repository.LedgerExportLine) string {
	var parts []string
	if l.ReversesID != nil {
		parts = append(parts, fmt.Sprintf("冲销交易 %d", *l.ReversesID))
	}
	if l.ReceiptNumber != "" {
		parts = append(parts, "收据 "+l.ReceiptNumber, l.DonorName)
	}
	if l.DisbursementID != nil {
		parts = append(parts, fmt.Sprintf("支出单 %d", *l.DisbursementID), l.Payee)
	}
	// A donation's own memo is only the word "donation"; everything else's memo is what a person wrote.
	if l.Memo != "" && !(l.Kind == "donation" && l.ReceiptNumber != "") {
		parts = append(parts, l.Memo)
	}
	return strings.Join(parts, "；")
}
