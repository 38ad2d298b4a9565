package dev.mkto.server.testing;

import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * Base of test classes that run once per database backend (H2, then PostgreSQL) against one
 * server each. Subclasses carry {@code @ParameterizedClass @EnumSource(Backend.class)} and set up
 * their fixtures in {@link #fixtures()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class OnEveryBackend {

    @Parameter
    protected Backend backend;
    protected TestServer server;
    protected Api api;
    protected AdminClient admin;

    @BeforeParameterizedClassInvocation
    void startServer(Backend backend) {
        server = TestServer.start(backend);
        api = server.api();
        admin = server.admin();
        fixtures();
    }

    /** Replaces the server with a fresh one (fresh data) and sets the fixtures up again, for tests that exhaust a per-instance limit. */
    protected void restartServer() {
        stopServer();
        startServer(backend);
    }

    @AfterParameterizedClassInvocation
    void stopServer() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** Creates what every test of the class uses, once per backend. */
    protected void fixtures() {
    }
}
