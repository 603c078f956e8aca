-- wrk script: POST the body in $BODY (one-row /invocations request) as JSON.
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
