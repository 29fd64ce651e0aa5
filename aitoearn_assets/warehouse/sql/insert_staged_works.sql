-- Insert staged works (parameter 1: Parquet files; 2: the accounts to read from them), each work
-- once: its last-served copy.
INSERT INTO raw_works BY NAME
SELECT * EXCLUDE (_seq)
FROM read_parquet(?)
WHERE list_contains(?, account_id)
QUALIFY row_number() OVER (PARTITION BY account_id, platform_work_id ORDER BY _seq DESC) = 1
