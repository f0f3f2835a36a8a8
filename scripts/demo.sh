#!/usr/bin/env bash
# The API walkthrough of the README, against a running `make run` (http://127.0.0.1:$LOCAL_PORT, 3000
# by default): Option 1 from the identity to an active account, then a login, over plain HTTP (curl).
# Each call prints its method, path and status; IDs and tokens are captured, never printed.
#
#   make demo                      # or: LOCAL_PORT=3100 bash scripts/demo.sh
#
# The demo person is Marc JEAN-BAPTISTE (born in Guadeloupe), not the guide's Paul VENTURI, whom the web
# walkthrough uses: both walkthroughs can follow each other on one stack. Run twice, his account exists:
# the signup stops at the proof (409 ACCOUNT_ALREADY_EXISTS) and the walkthrough goes on with the login.
set -euo pipefail

BASE="http://127.0.0.1:${LOCAL_PORT:-3000}"
API="$BASE/v1"
NIR="1 92 02 97 105 088"
EMAIL="marc.jean-baptiste@example.test"
PASSWORD="MotdePasse1"
BODY="$(mktemp)"
trap 'rm -f "$BODY"' EXIT

# call METHOD PATH [JSON] [TOKEN]: the answer's body in $BODY, its status in $STATUS, one line printed.
call() {
  local method=$1 path=$2 json=${3:-} token=${4:-}
  local args=(-s -o "$BODY" -w '%{http_code}' -X "$method" "$API$path" -H 'Accept: application/json')
  [[ -n $json ]] && args+=(-H 'Content-Type: application/json' -d "$json")
  [[ -n $token ]] && args+=(-H "Authorization: Bearer $token")
  STATUS=$(curl "${args[@]}") || { echo "cannot reach $BASE: is 'make run' running (LOCAL_PORT=${LOCAL_PORT:-3000})?"; exit 1; }
  printf '%-6s %-44s -> %s' "$method" "/v1$path" "$STATUS"
}

# get KEY...: a value of the last answer (nested keys), "" when absent.
get() {
  python3 -c 'import json, sys
value = json.load(open(sys.argv[1]))
for key in sys.argv[2:]:
    value = value.get(key) if isinstance(value, dict) else None
print("" if value is None else value)' "$BODY" "$@"
}

# expect CODE [KEY...]: stops unless the status is CODE; prints the given fields of the answer.
expect() {
  local want=$1; shift
  if [[ $STATUS != "$want" ]]; then
    printf '   expected %s: %s %s\n' "$want" "$(get code)" "$(get detail)"
    exit 1
  fi
  local key shown=""
  for key in "$@"; do shown+="  $key=$(get ${key//./ })"; done
  echo "$shown"
}

echo "== Option 1 for Marc JEAN-BAPTISTE, against $API"
call GET /health; expect 200 status

call POST /signups '{"last_name":"Jean-Baptiste","nir":"'"$NIR"'","birth_date":"1992-02-28","postal_code":"97100"}'
expect 201 next_step proof.iban_masked proof.carte_vitale_serial_prefix
SIGNUP_ID=$(get signup_id)
SIGNUP_TOKEN=$(get signup_token)

call POST "/signups/$SIGNUP_ID/proof" '{"iban_last7":"45L6096","carte_vitale_serial_last11":"66677788899"}' "$SIGNUP_TOKEN"
if [[ $STATUS == 409 ]]; then
  echo "   $(get code): his account exists already (restart 'make run' to start afresh); on to the login."
else
  expect 200 next_step terms.version  # the terms to show come with the proof's answer
  VERSION=$(get terms version)
  call POST "/signups/$SIGNUP_ID/terms" '{"accepted":true,"version":"'"$VERSION"'"}' "$SIGNUP_TOKEN"; expect 200 next_step
  call POST "/signups/$SIGNUP_ID/password/check" '{"password":"Soléil-Vert1"}' "$SIGNUP_TOKEN"; expect 200 valid strength
  call POST "/signups/$SIGNUP_ID/password" '{"password":"'"$PASSWORD"'","password_confirmation":"'"$PASSWORD"'"}' "$SIGNUP_TOKEN"
  expect 200 next_step
  call POST "/signups/$SIGNUP_ID/contact" \
    '{"email":"'"$EMAIL"'","email_confirmation":"'"$EMAIL"'","email_marketing_consent":false,"mobile_phone":"0690 12 34 56","mobile_marketing_sms_consent":true}' \
    "$SIGNUP_TOKEN"
  expect 201 status email_masked link_expires_at

  # Logged out; the account waits for the email's link. Logging in now says so.
  call POST /sessions '{"nir":"'"$NIR"'","password":"'"$PASSWORD"'"}'; expect 403 code email_masked

  # The link is in the local mailbox (GET /_local/mailbox); its token is after "token=".
  LINK_TOKEN=$(curl -s "$BASE/_local/mailbox" | python3 -c 'import json, re, sys
found = [m for m in json.load(sys.stdin)["messages"] if sys.argv[1] in m.get("to", [])]
match = re.search(r"/activation#token=([A-Za-z0-9_\-.~%]+)", (found[-1]["text"] or "") if found else "")
print(match.group(1) if match else "")' "$EMAIL")
  [[ -n $LINK_TOKEN ]] || { echo "no confirmation link for $EMAIL in $BASE/_local/mailbox"; exit 1; }
  printf '%-6s %-44s -> the link of the last email to %s\n' GET /_local/mailbox "$EMAIL"
  call POST /email-confirmations '{"token":"'"$LINK_TOKEN"'"}'; expect 200 status
fi

echo "== Login"
call POST /sessions '{"nir":"'"$NIR"'","password":"'"$PASSWORD"'"}'
if [[ $STATUS == 403 ]]; then
  echo "   $(get code): the account is not active yet (its link was not followed in an earlier run)."
  exit 1
fi
expect 201 expires_at
SESSION_TOKEN=$(get session_token)
call GET /account "" "$SESSION_TOKEN"; expect 200 status signup_method
call DELETE /sessions/current "" "$SESSION_TOKEN"; expect 204
call GET /account "" "$SESSION_TOKEN"; expect 401 code
echo "== Done: Marc JEAN-BAPTISTE has an active account (code personnel $PASSWORD)."
