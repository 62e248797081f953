"""Payment reconciliation rules (SPEC.md "Payment reconciliation"): pure, no AWS, no HTTP.

- ``layouts``: which export a header row is (Stripe, Square, QuickBooks, or the
  caller's mapping) and which columns hold each field;
- ``cells``: a cell's value: exact amounts in cents, dates, text cells defused;
- ``reading``: the file read and every row checked (the bad lines listed, the rows
  that are no payment skipped), a row's natural key and the file's digest;
- ``candidates``: the invoices and sales a reference names, which invoice or sale may
  take a payment, the one candidate, and a row's statuses and match methods.
"""
