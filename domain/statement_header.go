package domain

import (
	"regexp"
	"slices"
	"strings"
)

// Reading a statement's header: which of the first rows names the columns, and which column is which.

// Header names people and banks use for each role, normalised (see normHeader), best first. The first list is
// matched exactly; the second by containment, for headers like 收入金额（元） or 交易附言/用途.
var statementHeaders = map[string][2][]string{
	ColDate: {
		{"交易日期", "记账日期", "入账日期", "到账日期", "交易时间", "记账时间", "入账时间", "日期", "时间", "交易日",
			"date", "transactiondate", "valuedate", "postingdate", "bookingdate", "tradedate", "time"},
		{"日期", "时间", "date"},
	},
	ColPayer: {
		{"对方户名", "对方名称", "对方账户名称", "对方账户名", "对方户名称", "对方单位", "付款人", "付款人名称",
			"付款人户名", "付款方", "付款方名称", "付款单位", "汇款人", "汇款人名称", "交易对方", "交易对手", "捐赠人",
			"捐款人", "户名", "姓名", "名称", "payer", "payername", "counterparty", "counterpartyname", "name", "from"},
		{"对方户名", "对方名称", "对方账户名", "付款人", "付款方", "汇款人", "交易对方", "户名", "payer", "counterparty"},
	},
	ColAmount: {
		{"贷方金额", "贷方发生额", "收入金额", "收入", "入账金额", "贷方", "收款金额", "存入金额", "存入", "金额", "交易金额",
			"发生额", "credit", "creditamount", "amount", "deposit", "deposits", "amountreceived", "moneyin"},
		{"贷方", "收入", "存入", "入账金额", "交易金额", "金额", "credit", "amount"},
	},
	ColReference: {
		{"交易流水号", "流水号", "凭证号", "交易单号", "交易订单号", "交易号", "交易参考号", "参考号", "业务流水号",
			"银行流水号", "流水", "凭证号码", "传票号", "订单号", "reference", "referenceno", "ref", "refno",
			"transactionid", "transactionno", "serialno", "voucherno"},
		{"流水号", "凭证号", "交易单号", "订单号", "交易号", "参考号", "reference", "serial", "voucher"},
	},
	ColMemo: {
		{"附言", "交易附言", "用途", "交易用途", "商品说明", "商品", "商品名称", "摘要", "交易摘要", "备注", "说明",
			"memo", "remark", "remarks", "note", "notes", "description", "purpose", "narrative", "details"},
		{"附言", "用途", "摘要", "备注", "memo", "remark", "description"},
	},
	ColDebit: {
		{"借方金额", "借方发生额", "支出金额", "支出", "借方", "付款金额", "支取金额", "取出", "debit", "debitamount",
			"withdrawal", "withdrawals", "moneyout"},
		{"借方", "支出金额", "支取", "debit", "withdraw"},
	},
	ColDirection: {
		{"收/支", "收支", "收支类型", "借贷标志", "借贷方向", "借贷", "交易方向", "资金方向", "资金流向", "方向",
			"dr/cr", "cr/dr", "d/c", "c/d", "direction", "debit/credit", "credit/debit", "in/out"},
		{"借贷", "收/支", "收支", "方向", "direction"},
	},
}

// guessOrder is the order roles claim columns: the debit column before the amount, so 借方金额 is never taken for
// the credit amount because it contains 金额.
var guessOrder = []string{ColDebit, ColDirection, ColAmount, ColDate, ColReference, ColPayer, ColMemo}

var trailingUnit = regexp.MustCompile(`\([^()]*\)$`)

// normHeader makes header cells comparable: half-width, lower case, no spaces, no BOM or required-field star, no
// unit in brackets at the end (金额（元） is 金额).
func normHeader(h string) string {
	h = strings.ToLower(ToHalfWidth(strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")))
	h = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '*' || r == '_' || r == '-' || r == ':' {
			return -1
		}
		return r
	}, h)
	if s := trailingUnit.ReplaceAllString(h, ""); s != "" {
		h = s
	}
	return h
}

// ourSide marks headers about the fund's own account (本方户名, 收款人), never the payer.
func ourSide(h string) bool {
	for _, w := range []string{"本方", "我方", "本账户", "收款"} {
		if strings.Contains(h, w) {
			return true
		}
	}
	return false
}

// GuessStatementColumns guesses each role's column from a header row, Chinese or English.
func GuessStatementColumns(header []string) map[string]int {
	norm := make([]string, len(header))
	for i, h := range header {
		norm[i] = normHeader(h)
	}
	cols, taken := map[string]int{}, map[int]bool{}
	for pass := 0; pass < 2; pass++ {
		for _, role := range guessOrder {
			if _, done := cols[role]; done {
				continue
			}
		names:
			for _, name := range statementHeaders[role][pass] {
				for i, h := range norm {
					if taken[i] || h == "" || (role == ColPayer && ourSide(h)) {
						continue
					}
					if h == name || (pass == 1 && strings.Contains(h, name)) {
						cols[role], taken[i] = i, true
						break names
					}
				}
			}
		}
	}
	return cols
}

// GuessStatementMapping finds the header — the first of the file's first 30 rows that names the most required
// roles, since exports often start with the account number and the period — and guesses the columns from it.
func GuessStatementMapping(records [][]string) StatementMapping {
	best := StatementMapping{HeaderRow: 0, Columns: map[string]int{}}
	bestScore := 0
	for i := 0; i < len(records) && i < 30; i++ {
		cols := GuessStatementColumns(records[i])
		score := 0
		for role := range cols {
			if slices.Contains(RequiredStatementColumns, role) {
				score += 10
			} else {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = StatementMapping{HeaderRow: i, Columns: cols}, score
		}
	}
	if bestScore < 20 && len(records) > 0 { // fewer than two required roles named anywhere: take the first row
		best = StatementMapping{HeaderRow: 0, Columns: GuessStatementColumns(records[0])}
	}
	return best
}
