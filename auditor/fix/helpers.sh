# ---- edge-audit fix: helpers --------------------------------------------------------
# Each helper fetches the live state it needs (a distribution's config and ETag, a rule's
# conditions), changes only the fields its step names, and writes the request to a file
# in a private folder, never to the command line: secret values stay out of `ps`, of the
# terminal and of any log. Every AWS CLI answer goes to a file or to /dev/null.

umask 077
FIX_WORK="$(mktemp -d)"
trap 'rm -rf "$FIX_WORK"' EXIT

# fix_secret VAR: a new random origin secret (43 URL-safe characters) in VAR, exported so
# the helpers' python3 can read it; it is never printed.
fix_secret() {
  local value
  value="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
  printf -v "$1" '%s' "$value"
  export "${1?}"
}

# need_secret VAR: stop unless VAR holds a secret made earlier in this same run.
need_secret() {
  if [ -z "${!1:-}" ]; then
    echo "edge-audit fix: $1 is not set: this step must run in the same run as the step that made the secret (start again from that step)" >&2
    exit 1
  fi
}

# cf_edit REGION DIST_ID EDIT_JSON: fetch the distribution config and its ETag, apply one
# edit (see the python below), update with --if-match (a concurrent change fails the
# update instead of being overwritten).
cf_edit() {
  local region="$1" dist="$2" edit="$3" etag
  aws cloudfront get-distribution-config --region "$region" --id "$dist" --output json \
    > "$FIX_WORK/dist.json"
  etag="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["ETag"])' "$FIX_WORK/dist.json")"
  python3 -c '
import json, os, sys
doc = json.load(open(sys.argv[1]))
config, edit = doc["DistributionConfig"], json.loads(sys.argv[2])
def items(block):
    return (block or {}).get("Items") or []
def behaviors(paths):
    found = []
    for path in paths:
        if path == "*":
            found.append(config["DefaultCacheBehavior"])
        else:
            found += [b for b in items(config.get("CacheBehaviors")) if b["PathPattern"] == path]
    if len(found) != len(paths):
        sys.exit("edge-audit fix: a behaviour named by the plan is gone: " + ", ".join(paths))
    return found
def origin(origin_id):
    for o in items(config.get("Origins")):
        if o["Id"] == origin_id:
            return o
    sys.exit("edge-audit fix: origin " + origin_id + " is gone from the distribution")
op = edit["op"]
if op == "origin_header":
    o = origin(edit["origin"])
    headers = [h for h in items(o.get("CustomHeaders"))
               if h["HeaderName"].lower() != edit["header"].lower()]
    headers.append({"HeaderName": edit["header"], "HeaderValue": os.environ[edit["env"]]})
    o["CustomHeaders"] = {"Quantity": len(headers), "Items": headers}
elif op == "viewer_https":
    for b in behaviors(edit["paths"]):
        b["ViewerProtocolPolicy"] = "redirect-to-https"
elif op == "keepalive":
    origin(edit["origin"])["CustomOriginConfig"]["OriginKeepaliveTimeout"] = edit["seconds"]
elif op == "no_cache":
    for b in behaviors(edit["paths"]):
        if b.get("CachePolicyId"):
            b["CachePolicyId"] = edit["policy"]
        else:
            b["MinTTL"], b["DefaultTTL"], b["MaxTTL"] = 0, 0, 0
elif op == "logging":
    config["Logging"] = {"Enabled": True, "IncludeCookies": False,
                         "Bucket": edit["bucket"] + ".s3.amazonaws.com",
                         "Prefix": edit["prefix"]}
else:
    sys.exit("edge-audit fix: unknown edit " + op)
json.dump(config, open(sys.argv[3], "w"))
' "$FIX_WORK/dist.json" "$edit" "$FIX_WORK/dist-config.json"
  aws cloudfront update-distribution --region "$region" --id "$dist" --if-match "$etag" \
    --distribution-config "file://$FIX_WORK/dist-config.json" --output json > /dev/null
  rm -f "$FIX_WORK/dist.json" "$FIX_WORK/dist-config.json"
}

# cf_sends REGION DIST_ID ORIGIN_ID HEADER [VAR]: stop unless the origin sends HEADER (with
# the value in VAR, when given). The check before anything that relies on it.
cf_sends() {
  aws cloudfront get-distribution-config --region "$1" --id "$2" --output json > "$FIX_WORK/dist.json"
  python3 -c '
import json, os, sys
config = json.load(open(sys.argv[1]))["DistributionConfig"]
origin_id, header, var = sys.argv[2], sys.argv[3].lower(), sys.argv[4]
for o in (config.get("Origins") or {}).get("Items") or []:
    if o["Id"] == origin_id:
        for h in (o.get("CustomHeaders") or {}).get("Items") or []:
            if h["HeaderName"].lower() == header and (not os.environ.get(var) or h["HeaderValue"] == os.environ[var]):
                sys.exit(0)
sys.exit("edge-audit fix: origin " + origin_id + " does not send " + sys.argv[3] + " yet: not going on")
' "$FIX_WORK/dist.json" "$3" "$4" "${5:-}"
  rm -f "$FIX_WORK/dist.json"
}

# The python that rebuilds a rule's conditions for a create or modify call: a fetched
# condition carries both Values and its *Config block, and a request may carry only one.
FIX_CONDITIONS='
def clean(conditions):
    out = []
    for c in conditions:
        c = dict(c)
        if any(k.endswith("Config") for k in c):
            c.pop("Values", None)
        out.append(c)
    return out
def header_of(c, name):
    return c.get("Field") == "http-header" and \
        c.get("HttpHeaderConfig", {}).get("HttpHeaderName", "").lower() == name.lower()
'

# rules_of_listener REGION RULE_ARN: the rules of the listener the rule sits on, in
# $FIX_WORK/rules.json; that listener's ARN in FIX_LISTENER.
rules_of_listener() {
  FIX_LISTENER="$(python3 -c 'import sys; a = sys.argv[1].replace(":listener-rule/", ":listener/"); print(a.rsplit("/", 1)[0])' "$2")"
  aws elbv2 describe-rules --region "$1" --listener-arn "$FIX_LISTENER" --output json > "$FIX_WORK/rules.json"
}

# alb_guard_copy REGION RULE_ARN HEADER VAR: a copy of the rule that also requires HEADER
# with the secret, at the free priority just before it. Requests with the header take the
# copy, the rest the original: nothing changes until CloudFront sends the header.
alb_guard_copy() {
  local region="$1" rule="$2" listener
  rules_of_listener "$region" "$rule"
  listener="$FIX_LISTENER"
  python3 -c "$FIX_CONDITIONS"'
import json, os, sys
rules = json.load(open(sys.argv[1]))["Rules"]
arn, header, var = sys.argv[2], sys.argv[3], sys.argv[4]
rule = next((r for r in rules if r["RuleArn"] == arn), None)
if rule is None:
    sys.exit("edge-audit fix: rule " + arn + " is gone")
taken = sorted(int(r["Priority"]) for r in rules if r["Priority"] != "default")
p = int(rule["Priority"])
before = max([t for t in taken if t < p], default=0)
free = [q for q in range(p - 1, before, -1) if q not in taken]
if not free:
    sys.exit("edge-audit fix: no free priority between " + str(before) + " and " + str(p)
             + ": renumber the rules of the listener (aws elbv2 set-rule-priorities) and run this step again")
if any(header_of(c, header) for c in rule["Conditions"]):
    sys.exit("edge-audit fix: rule " + arn + " already checks " + header)
conditions = clean(rule["Conditions"]) + [{"Field": "http-header", "HttpHeaderConfig": {
    "HttpHeaderName": header, "Values": [os.environ[var]]}}]
json.dump({"ListenerArn": sys.argv[5], "Priority": free[0], "Conditions": conditions,
           "Actions": rule["Actions"]}, open(sys.argv[6], "w"))
' "$FIX_WORK/rules.json" "$rule" "$3" "$4" "$listener" "$FIX_WORK/create-rule.json"
  aws elbv2 create-rule --region "$region" --cli-input-json "file://$FIX_WORK/create-rule.json" \
    --output json > /dev/null
  rm -f "$FIX_WORK/rules.json" "$FIX_WORK/create-rule.json"
}

# alb_guard_default REGION LISTENER_ARN HEADER VAR: a rule that requires HEADER and does
# what the listener's default action does, after every other rule (the highest free
# priority): the default action can then be closed without changing CloudFront's routes.
alb_guard_default() {
  local region="$1" listener="$2"
  aws elbv2 describe-listeners --region "$region" --listener-arns "$listener" --output json > "$FIX_WORK/listener.json"
  aws elbv2 describe-rules --region "$region" --listener-arn "$listener" --output json > "$FIX_WORK/rules.json"
  python3 -c '
import json, os, sys
actions = json.load(open(sys.argv[1]))["Listeners"][0]["DefaultActions"]
rules = json.load(open(sys.argv[2]))["Rules"]
taken = {int(r["Priority"]) for r in rules if r["Priority"] != "default"}
free = [q for q in range(50000, max(taken, default=0), -1) if q not in taken]
if not free:
    sys.exit("edge-audit fix: no free priority after the last rule")
conditions = [{"Field": "http-header", "HttpHeaderConfig": {
    "HttpHeaderName": sys.argv[3], "Values": [os.environ[sys.argv[4]]]}}]
json.dump({"ListenerArn": sys.argv[5], "Priority": free[0], "Conditions": conditions,
           "Actions": actions}, open(sys.argv[6], "w"))
' "$FIX_WORK/listener.json" "$FIX_WORK/rules.json" "$3" "$4" "$listener" "$FIX_WORK/create-rule.json"
  aws elbv2 create-rule --region "$region" --cli-input-json "file://$FIX_WORK/create-rule.json" \
    --output json > /dev/null
  rm -f "$FIX_WORK/listener.json" "$FIX_WORK/rules.json" "$FIX_WORK/create-rule.json"
}

# alb_accept REGION LISTENER_ARN HEADER VAR: every rule of the listener that checks HEADER
# also accepts the new secret (the values it accepts now stay until alb_keep_sent).
alb_accept() {
  alb_rewrite_header "$1" "$2" "$3" accept "$4"
}

# alb_keep_sent REGION LISTENER_ARN HEADER DIST_ID:ORIGIN_ID...: every rule of the
# listener that checks HEADER keeps only the values those origins send now; it stops,
# changing nothing, where that would leave a rule accepting none.
alb_keep_sent() {
  local region="$1" listener="$2" header="$3" pair
  shift 3
  : > "$FIX_WORK/sent.txt"
  for pair in "$@"; do
    aws cloudfront get-distribution-config --region us-east-1 --id "${pair%%:*}" --output json > "$FIX_WORK/dist.json"
    python3 -c '
import json, sys
config = json.load(open(sys.argv[1]))["DistributionConfig"]
with open(sys.argv[4], "a") as out:
    for o in (config.get("Origins") or {}).get("Items") or []:
        if o["Id"] == sys.argv[2]:
            for h in (o.get("CustomHeaders") or {}).get("Items") or []:
                if h["HeaderName"].lower() == sys.argv[3].lower():
                    out.write(json.dumps(h["HeaderValue"]) + "\n")
' "$FIX_WORK/dist.json" "${pair#*:}" "$header" "$FIX_WORK/sent.txt"
  done
  rm -f "$FIX_WORK/dist.json"
  alb_rewrite_header "$region" "$listener" "$header" keep ""
  rm -f "$FIX_WORK/sent.txt"
}

alb_rewrite_header() {
  local region="$1" listener="$2" header="$3" mode="$4" var="$5" n
  aws elbv2 describe-rules --region "$region" --listener-arn "$listener" --output json > "$FIX_WORK/rules.json"
  n="$(python3 -c "$FIX_CONDITIONS"'
import json, os, sys
rules = json.load(open(sys.argv[1]))["Rules"]
header, mode, var, folder = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
sent = []
if mode == "keep":
    sent = [json.loads(line) for line in open(folder + "/sent.txt")]
    if not sent:
        sys.exit("edge-audit fix: no fronting origin sends " + header + ": not removing any value")
count = 0
for rule in rules:
    conditions, changed = clean(rule["Conditions"]), False
    for c in conditions:
        if not header_of(c, header):
            continue
        values = c["HttpHeaderConfig"]["Values"]
        if mode == "accept" and os.environ[var] not in values:
            values = values + [os.environ[var]]
        elif mode == "keep":
            kept = [v for v in values if v in sent]
            if not kept:
                sys.exit("edge-audit fix: rule " + rule["RuleArn"] + " accepts no value a fronting origin sends: not changing it")
            values = kept
        if values != c["HttpHeaderConfig"]["Values"]:
            c["HttpHeaderConfig"]["Values"], changed = values, True
    if changed:
        count += 1
        json.dump({"RuleArn": rule["RuleArn"], "Conditions": conditions},
                  open(folder + "/modify-rule-" + str(count) + ".json", "w"))
print(count)
' "$FIX_WORK/rules.json" "$header" "$mode" "$var" "$FIX_WORK")"
  local i
  for ((i = 1; i <= n; i++)); do
    aws elbv2 modify-rule --region "$region" --cli-input-json "file://$FIX_WORK/modify-rule-$i.json" \
      --output json > /dev/null
    rm -f "$FIX_WORK/modify-rule-$i.json"
  done
  rm -f "$FIX_WORK/rules.json"
}

# alb_drop_unguarded REGION RULE_ARN HEADER: delete the rule, once a rule with the same
# conditions plus a check of HEADER (its guarded copy) stands before it.
alb_drop_unguarded() {
  local region="$1" rule="$2"
  rules_of_listener "$region" "$rule"
  python3 -c "$FIX_CONDITIONS"'
import json, sys
rules = json.load(open(sys.argv[1]))["Rules"]
arn, header = sys.argv[2], sys.argv[3]
rule = next((r for r in rules if r["RuleArn"] == arn), None)
if rule is None:
    sys.exit(0)
key = json.dumps(clean(rule["Conditions"]), sort_keys=True)
for other in rules:
    if other["RuleArn"] == arn or other["Actions"] != rule["Actions"]:
        continue
    rest = [c for c in clean(other["Conditions"]) if not header_of(c, header)]
    if len(rest) < len(other["Conditions"]) and json.dumps(rest, sort_keys=True) == key:
        sys.exit(0)
sys.exit("edge-audit fix: no guarded copy of rule " + arn + ": not deleting it")
' "$FIX_WORK/rules.json" "$rule" "$3"
  if python3 -c 'import json, sys; sys.exit(0 if any(r["RuleArn"] == sys.argv[2] for r in json.load(open(sys.argv[1]))["Rules"]) else 1)' "$FIX_WORK/rules.json" "$rule"; then
    aws elbv2 delete-rule --region "$region" --rule-arn "$rule" --output json > /dev/null
  fi
  rm -f "$FIX_WORK/rules.json"
}

# alb_default_deny REGION LISTENER_ARN HEADER: the default action becomes a fixed 403, once
# a rule that requires HEADER does what it did.
alb_default_deny() {
  local region="$1" listener="$2"
  aws elbv2 describe-listeners --region "$region" --listener-arns "$listener" --output json > "$FIX_WORK/listener.json"
  aws elbv2 describe-rules --region "$region" --listener-arn "$listener" --output json > "$FIX_WORK/rules.json"
  python3 -c "$FIX_CONDITIONS"'
import json, sys
actions = json.load(open(sys.argv[1]))["Listeners"][0]["DefaultActions"]
rules = json.load(open(sys.argv[2]))["Rules"]
if actions and actions[-1]["Type"] == "fixed-response":
    sys.exit(0)
for rule in rules:
    if rule["Priority"] != "default" and rule["Actions"] == actions and \
            any(header_of(c, sys.argv[3]) for c in rule["Conditions"]):
        sys.exit(0)
sys.exit("edge-audit fix: no rule requiring " + sys.argv[3] + " does what the default action does: not closing it")
' "$FIX_WORK/listener.json" "$FIX_WORK/rules.json" "$3"
  aws elbv2 modify-listener --region "$region" --listener-arn "$listener" --default-actions \
    'Type=fixed-response,FixedResponseConfig={StatusCode=403,ContentType=text/plain,MessageBody=Forbidden}' \
    --output json > /dev/null
  rm -f "$FIX_WORK/listener.json" "$FIX_WORK/rules.json"
}

# alb_require_login REGION RULE_ARN: the rule's authenticate actions deny a request
# without a login (OnUnauthenticatedRequest authenticate), keeping the client secret.
alb_require_login() {
  aws elbv2 describe-rules --region "$1" --rule-arns "$2" --output json > "$FIX_WORK/rules.json"
  python3 -c '
import json, sys
rule = json.load(open(sys.argv[1]))["Rules"][0]
for action in rule["Actions"]:
    for key in ("AuthenticateOidcConfig", "AuthenticateCognitoConfig"):
        if key in action:
            action[key]["OnUnauthenticatedRequest"] = "authenticate"
            if key == "AuthenticateOidcConfig":
                action[key].pop("ClientSecret", None)
                action[key]["UseExistingClientSecret"] = True
json.dump({"RuleArn": rule["RuleArn"], "Actions": rule["Actions"]}, open(sys.argv[2], "w"))
' "$FIX_WORK/rules.json" "$FIX_WORK/modify-rule.json"
  aws elbv2 modify-rule --region "$1" --cli-input-json "file://$FIX_WORK/modify-rule.json" \
    --output json > /dev/null
  rm -f "$FIX_WORK/rules.json" "$FIX_WORK/modify-rule.json"
}

# cf_wait REGION DIST_ID: until every edge location serves the new config (the CLI's
# waiter polls GetDistribution every 60 s, up to 35 times).
cf_wait() {
  aws cloudfront wait distribution-deployed --region "$1" --id "$2"
}

# fix_account ACCOUNT: stop unless the credentials in use are ACCOUNT's. A plan names the
# account of every step; running it with the wrong profile changes nothing.
fix_account() {
  if [ -z "${FIX_CALLER:-}" ]; then
    FIX_CALLER="$(aws sts get-caller-identity --region us-east-1 --query Account --output text)"
  fi
  if [ "$FIX_CALLER" != "$1" ]; then
    echo "edge-audit fix: this step is for account $1, and the credentials in use are account $FIX_CALLER's: run it with a profile for $1 (AWS_PROFILE=...)" >&2
    exit 1
  fi
}

# sg_admit REGION GROUP PORT PREFIX_LIST: admit the prefix list on the port; a rule that is
# already there is no error.
sg_admit() {
  local out
  if ! out="$(aws ec2 authorize-security-group-ingress --region "$1" --group-id "$2" \
      --ip-permissions "IpProtocol=tcp,FromPort=$3,ToPort=$3,PrefixListIds=[{PrefixListId=$4,Description=CloudFront origin-facing}]" \
      --output json 2>&1 > /dev/null)"; then
    case "$out" in
      *InvalidPermission.Duplicate*) ;;
      *) echo "$out" >&2; exit 1 ;;
    esac
  fi
}

# sg_admits REGION GROUP PL[,PL]: stop unless the group admits every one of the lists.
sg_admits() {
  aws ec2 describe-security-groups --region "$1" --group-ids "$2" --output json > "$FIX_WORK/sg.json"
  python3 -c '
import json, sys
group = json.load(open(sys.argv[1]))["SecurityGroups"][0]
have = {p["PrefixListId"] for perm in group.get("IpPermissions", []) for p in perm.get("PrefixListIds", [])}
missing = [p for p in sys.argv[2].split(",") if p not in have]
if missing:
    sys.exit("edge-audit fix: " + group["GroupId"] + " does not admit " + ", ".join(missing) + " yet: not revoking anything")
' "$FIX_WORK/sg.json" "$3"
  rm -f "$FIX_WORK/sg.json"
}
# ---- end of helpers -----------------------------------------------------------------
