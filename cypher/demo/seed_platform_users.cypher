// The platform's own Users nodes for generated activity (on the platform they already exist).
UNWIND $users AS u
MERGE (n:{{user_label}} {{{user_key}}: u.user_id})
SET n.uid = u.uid
