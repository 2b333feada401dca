// What each 32-hex uid names: a user (by Users.uid), a community, or nothing.
UNWIND $uids AS uid
OPTIONAL MATCH (u:{{user_label}} {uid: uid})
OPTIONAL MATCH (c:{{community_label}} {uid: uid})
RETURN uid, head(collect(u.{{user_key}})) AS user_id, count(c) > 0 AS is_community
