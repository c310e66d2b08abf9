#!/bin/sh
# The dynamic function's exec wrapper (AWS_LAMBDA_EXEC_WRAPPER): Lambda starts the runtime through it with
# the interpreter and its arguments. The function runs code it is sent and calls no AWS API, so the runtime
# starts without the execution role's credentials: they are in neither its environment nor
# /proc/self/environ, nor in the environment of anything it starts.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN \
  AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_AUTHORIZATION_TOKEN
exec "$@"
