-- Insert staged works (parameter 1: the run date, stamped as observed_on; 2: Parquet files; {accounts}: the
-- predicate choosing the accounts to read from them), each work once: its last-served copy.
INSERT INTO raw_works BY NAME
SELECT * EXCLUDE (_seq), ?::DATE AS observed_on
FROM read_parquet(?)
WHERE {accounts}
QUALIFY row_number() OVER (PARTITION BY account_id, platform_work_id ORDER BY _seq DESC) = 1
