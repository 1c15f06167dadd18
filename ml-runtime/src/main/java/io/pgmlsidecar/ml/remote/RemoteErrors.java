package io.pgmlsidecar.ml.remote;

import io.pgmlsidecar.ml.remote.RemoteCallException.Kind;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * Turns what went wrong in one HTTP exchange into a {@link RemoteCallException}: the user-facing wording
 * of every failure lives here. Messages name the endpoint and its URL without query, and quote at most
 * {@value #QUOTE_CHARS} characters of a reply, with the key masked.
 */
final class RemoteErrors {
    static final int QUOTE_CHARS = 200;

    private RemoteErrors() {}

    static RemoteCallException forStatus(Endpoint ep, int status, Duration retryAfter, byte[] body) {
        String reply = body == null || body.length == 0 ? "" : ": " + ep.quote(new String(body, StandardCharsets.UTF_8), QUOTE_CHARS);
        String who = "remote endpoint '" + ep.name() + "'";
        if (status == 429) {
            return new RemoteCallException(Kind.RATE_LIMITED, who + " is rate limiting requests (HTTP 429)" + reply,
                    "raise max_attempts so that calls wait and retry, or set a lower requests-per-second limit for the endpoint",
                    status, retryAfter, null);
        }
        if (status >= 500) {
            return new RemoteCallException(Kind.SERVER_ERROR, who + " failed (HTTP " + status + ")" + reply,
                    "the model service had an error or is overloaded; raise max_attempts to retry, or check the service's logs",
                    status, retryAfter, null);
        }
        String hint = switch (status) {
            case 401, 403 -> "check the endpoint key (it may be missing, wrong or expired) and the caller's access to the endpoint";
            case 404 -> "check the endpoint URL, deployment name and model name";
            case 413 -> "send fewer or shorter inputs per request (lower the endpoint's max batch size)";
            default -> status < 400 ? "configure the URL the endpoint redirects to (redirects are not followed, so that the key goes nowhere else)"
                    : "check that the input has the shape the model expects";
        };
        String what = status == 401 || status == 403 ? " refused the credentials"
                : status < 400 ? " answered with a redirect" : " rejected the request";
        return new RemoteCallException(Kind.CLIENT_ERROR, who + what + " (HTTP " + status + ")" + reply, hint, status, null, null);
    }

    static RemoteCallException timeout(Endpoint ep, Duration timeout, Throwable cause) {
        return new RemoteCallException(Kind.TIMEOUT, "remote endpoint '" + ep.name() + "' did not answer within "
                + timeout.toMillis() + " ms", "raise timeout_ms, or check the endpoint's health and load", 0, null, cause);
    }

    /** A failure before a complete answer arrived (connect, TLS, reset, timeout). */
    static RemoteCallException forIo(Endpoint ep, Duration timeout, Throwable cause) {
        if (cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException) && timeout != null) {
            return timeout(ep, timeout, cause);
        }
        String where = "remote endpoint '" + ep.name() + "' (" + ep.displayUrl() + ")";
        String reason = cause.getMessage() == null || cause.getMessage().isBlank()
                ? cause.getClass().getSimpleName() : cause.getMessage();
        String hint = "check the endpoint URL, and that the service is running and reachable from the sidecar";
        if (cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException) {
            hint = "the host name does not resolve; " + hint;
        } else if (cause instanceof SSLException) {
            hint = "TLS failed; check the URL's scheme and the service's certificate";
        }
        String what = cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException
                || cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException
                ? "could not connect to " : "lost the connection to ";
        return new RemoteCallException(Kind.CONNECT, what + where + ": " + ep.quote(reason, QUOTE_CHARS), hint, 0, null, cause);
    }

    static RemoteCallException malformed(Endpoint ep, int status, String problem, String body) {
        String quoted = body == null ? "" : body.isBlank() ? " (empty body)" : ": " + ep.quote(body, QUOTE_CHARS);
        return new RemoteCallException(Kind.MALFORMED_RESPONSE, "remote endpoint '" + ep.name() + "' answered with "
                + problem + quoted, "check that the URL points at the model's scoring endpoint and that the model returns JSON",
                status, null, null);
    }

    static RemoteCallException cancelled(Endpoint ep) {
        return new RemoteCallException(Kind.CANCELLED, "call to remote endpoint '" + ep.name() + "' was cancelled",
                "the statement was cancelled or the sidecar is shutting down", 0, null, null);
    }

    static RemoteCallException deadline(Endpoint ep, Duration deadline) {
        return new RemoteCallException(Kind.TIMEOUT, "call to remote endpoint '" + ep.name() + "' did not finish within "
                + deadline.toMillis() + " ms (queueing and retries included)",
                "the endpoint is slow or rate limited; allow more time or send less at once", 0, null, null);
    }

    // ---- fine-tuning jobs ----

    /** The provider reports the job failed; {@code providerMessage} (may be null) is its {@code error.message}. */
    static RemoteCallException jobFailed(Endpoint ep, String jobId, String code, String providerMessage) {
        String why = providerMessage == null || providerMessage.isBlank() ? "no reason given" : ep.quote(providerMessage, QUOTE_CHARS * 2);
        return new RemoteCallException(Kind.CLIENT_ERROR, "fine-tuning job " + jobId + " at remote endpoint '" + ep.name()
                + "' failed: " + why + (code == null || code.isBlank() ? "" : " (" + code + ")"),
                "check the training data (chat JSONL, enough examples, within the model's token limits), the base model and the hyperparameters",
                0, null, null);
    }

    /** The job was cancelled at the provider, not by this call. */
    static RemoteCallException jobCancelledElsewhere(Endpoint ep, String jobId, String providerMessage) {
        return new RemoteCallException(Kind.CLIENT_ERROR, "fine-tuning job " + jobId + " at remote endpoint '" + ep.name()
                + "' was cancelled at the provider" + (providerMessage == null || providerMessage.isBlank() ? ""
                : ": " + ep.quote(providerMessage, QUOTE_CHARS * 2)), "start the tuning again; see the provider's console for who cancelled it",
                0, null, null);
    }

    /** The caller cancelled the wait; {@code cancelFailure} (null when the provider took the cancel) says why the job may still run. */
    static RemoteCallException jobCancelledByCaller(Endpoint ep, String jobId, RemoteCallException cancelFailure) {
        String outcome = cancelFailure == null ? "the job was cancelled at the provider"
                : "cancelling the job at the provider failed (" + cancelFailure.getMessage() + "); it may still be running";
        return new RemoteCallException(Kind.CANCELLED, "fine-tuning job " + jobId + " at remote endpoint '" + ep.name()
                + "' was abandoned: the statement was cancelled; " + outcome,
                "the statement was cancelled or the sidecar is shutting down", 0, null, cancelFailure);
    }

    /** The job did not finish in time; {@code cancelFailure} as for {@link #jobCancelledByCaller}. */
    static RemoteCallException jobDeadline(Endpoint ep, String jobId, String status, Duration deadline,
                                           RemoteCallException cancelFailure) {
        String outcome = cancelFailure == null ? "it was cancelled at the provider"
                : "cancelling it at the provider failed (" + cancelFailure.getMessage() + "); it may still be running";
        return new RemoteCallException(Kind.TIMEOUT, "fine-tuning job " + jobId + " at remote endpoint '" + ep.name()
                + "' did not finish within " + (deadline.toMillis() < 10_000 ? deadline.toMillis() + " ms" : deadline.toSeconds() + " s")
                + " (last status: " + status + "); " + outcome,
                "allow the tuning more time, or train on fewer examples or epochs", 0, null, cancelFailure);
    }

    static RemoteCallException fileRefused(Endpoint ep, String fileId, String status, String details) {
        return new RemoteCallException(Kind.CLIENT_ERROR, "remote endpoint '" + ep.name() + "' did not accept training file "
                + fileId + " (status " + status + ")" + (details == null || details.isBlank() ? "" : ": " + ep.quote(details, QUOTE_CHARS * 2)),
                "check the training data: one JSON object per line in the chat format", 0, null, null);
    }

    static RemoteCallException fileNotReady(Endpoint ep, String fileId, Duration deadline) {
        return new RemoteCallException(Kind.TIMEOUT, "training file " + fileId + " at remote endpoint '" + ep.name()
                + "' was not ready within " + deadline.toMillis() + " ms", "allow more time for the upload to be processed",
                0, null, null);
    }
}
