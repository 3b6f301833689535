-- Who runs each backup schedule. Many agents of one policy share a schedule; the agent that
-- holds a schedule's unexpired lease is its only runner, and renews it while the run goes on.
-- A runner that dies stops renewing: its lease expires and another agent may take it.
CREATE TABLE backup_leases (
    schedule   VARCHAR(253) PRIMARY KEY,
    holder     VARCHAR(253) NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
