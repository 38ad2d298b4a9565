package dev.mkto.client;

import java.net.URI;
import java.time.Duration;

/**
 * What the client decided and why, as it happens: for logs, for a command line that tells its user
 * why it is waiting, and for tests. Never given a secret or a token. Every method has an empty
 * default; the client's default trace writes them at DEBUG to {@code System.Logger} "dev.mkto.client".
 */
public interface Trace {

    Trace NONE = new Trace() {
    };

    /** A request to the identity service is about to be made. */
    default void identityRequested(URI tokenUrl) {
    }

    /** A call was refused with 600/601/602: the token is dropped and one new one fetched. */
    default void tokenRefused(String code) {
    }

    /** A call is repeated after {@code delay} because of {@code reason} (a Marketo code, an HTTP status or an exception class). */
    default void retrying(String method, String path, String reason, int retry, Duration delay) {
    }

    /** A call is answered without a request because of {@code reason} (607: the daily quota has not reset yet). */
    default void notSent(String method, String path, String reason) {
    }
}
