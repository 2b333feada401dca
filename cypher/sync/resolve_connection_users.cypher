// The users at either end of the platform's Connection / ConnectionV2 nodes, by connection uid.
UNWIND $uids AS uid
MATCH (c {uid: uid})
WHERE c:Connection OR c:ConnectionV2
MATCH (u:{{user_label}})-[]-(c)
RETURN uid, collect(DISTINCT u.{{user_key}}) AS user_ids
