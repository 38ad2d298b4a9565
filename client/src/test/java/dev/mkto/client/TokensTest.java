package dev.mkto.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mkto.client.testing.ServerAdmin;
import dev.mkto.client.testing.ServerProcess;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Credentials and tokens against a real mkto-server: one token per service, shared; refusals typed; secrets kept. */
class TokensTest {

    private static ServerProcess server;
    private static ServerAdmin.Service service;

    @BeforeAll
    static void start() {
        server = ServerProcess.start();
        service = server.admin().serviceWith("Read-Write Lead");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void callsWhenSixteenThreadsStartWithoutATokenThenOneIdentityRequest() throws Exception {
        RecordingTrace trace = new RecordingTrace();
        MarketoClient client = TestClients.builder(server, service, trace).build();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<ApiResult<List<Leads.Partition>>>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                calls.add(pool.submit(() -> {
                    go.await();
                    return client.leads().partitions();
                }));
            }
            go.countDown();
            for (Future<ApiResult<List<Leads.Partition>>> f : calls) {
                assertThat(f.get().success()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(trace.identityRequests).hasValue(1);
    }

    @Test
    void clientsWhenBuiltSeparatelyForTheSameServiceThenTheyShareOneToken() {
        TokenCache shared = new TokenCache();
        RecordingTrace first = new RecordingTrace();
        RecordingTrace second = new RecordingTrace();
        MarketoClient a = TestClients.builder(server, service, first).tokenCache(shared).build();
        MarketoClient b = TestClients.builder(server.baseUrl() + "/identity", service.clientId(), service.clientSecret(), second)
                .tokenCache(shared).build();

        assertThat(a.leads().partitions().success()).isTrue();
        assertThat(b.leads().partitions().success()).isTrue();

        assertThat(first.identityRequests.get() + second.identityRequests.get()).isEqualTo(1);
    }

    @Test
    void cachedTokenWhenAnotherClientHoldsAWrongSecretThenThatClientIsRefusedNotHandedTheToken() {
        TokenCache shared = new TokenCache();
        MarketoClient right = TestClients.builder(server, service, new RecordingTrace()).tokenCache(shared).build();
        assertThat(right.leads().partitions().success()).isTrue();

        MarketoClient wrong = TestClients.builder(server.restEndpoint(), service.clientId(), "not-the-secret-0123456789abcdef", new RecordingTrace())
                .tokenCache(shared).build();
        ApiResult<List<Leads.Partition>> r = wrong.leads().partitions();

        assertThat(r.success()).isFalse();
        assertThat(r.authenticationFailure()).contains(new AuthenticationFailure(401, "invalid_client", "Bad client credentials"));
        assertThat(right.leads().partitions().success()).as("the right client keeps its token").isTrue();
    }

    @Test
    void callWhenSecretIsWrongThenTypedAuthenticationFailureWithErrorAndDescription() {
        MarketoClient client = TestClients.builder(server.restEndpoint(), service.clientId(), "wrong-secret-value-0123456789", new RecordingTrace()).build();

        ApiResult<List<Lead>> r = client.leads().query("email", List.of("a@example.com"));

        assertThat(r.success()).isFalse();
        AuthenticationFailure f = r.authenticationFailure().orElseThrow();
        assertThat(f.httpStatus()).isEqualTo(401);
        assertThat(f.error()).isEqualTo("invalid_client");
        assertThat(f.errorDescription()).isEqualTo("Bad client credentials");
        assertThat(r.errors()).containsExactly(new MarketoError("invalid_client", "Bad client credentials"));
        ApiFailureException thrown = catchThrowableOfType(ApiFailureException.class, r::orElseThrow);
        assertThat(thrown.authenticationFailure()).contains(f);
        assertThat(thrown.getMessage()).contains("invalid_client").doesNotContain("wrong-secret-value");
    }

    @Test
    void callWhenClientIdIsUnknownThenTypedFailureUnauthorizedNamingTheId() {
        MarketoClient client = TestClients.builder(server.restEndpoint(), "00000000-0000-4000-8000-000000000000", "whatever-secret-0123", new RecordingTrace()).build();

        AuthenticationFailure f = client.leads().partitions().authenticationFailure().orElseThrow();

        assertThat(f.httpStatus()).isEqualTo(401);
        assertThat(f.error()).isEqualTo("unauthorized");
        assertThat(f.errorDescription()).isEqualTo("No client with requested id: 00000000-0000-4000-8000-000000000000");
    }

    @Test
    void secretsWhenCallsSucceedFailAndCannotConnectThenNeverInExceptionsToStringOrLogs() throws Exception {
        List<String> logged = new ArrayList<>();
        Logger jul = Logger.getLogger("dev.mkto.client");
        Level before = jul.getLevel();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(new java.util.logging.SimpleFormatter().formatMessage(r));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.setLevel(Level.ALL);
        jul.addHandler(capture);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        List<String> seen = new ArrayList<>();
        try {
            MarketoClient good = MarketoClient.builder().endpoint(server.restEndpoint())
                    .credentials(service.clientId(), service.clientSecret()).tokenCache(new TokenCache()).limiters(new Limiter.Registry()).build();
            seen.add(good.toString());
            seen.add(good.leads().partitions().toString());
            seen.add(good.diagnose().toString());
            seen.add(good.call("POST", "/rest/v1/leads.json", Map.of(), "{broken", false).toString());

            MarketoClient wrongSecret = MarketoClient.builder().endpoint(server.restEndpoint())
                    .credentials(service.clientId(), "WRONG-" + service.clientSecret()).tokenCache(new TokenCache()).build();
            ApiResult<?> refused = wrongSecret.leads().partitions();
            seen.add(refused.toString());
            seen.add(catchThrowableOfType(ApiFailureException.class, refused::orElseThrow).getMessage());
            seen.add(wrongSecret.diagnose().toString());

            MarketoClient unreachable = MarketoClient.builder().endpoint("http://127.0.0.1:" + closedPort)
                    .credentials(service.clientId(), service.clientSecret()).tokenCache(new TokenCache()).retries(1)
                    .sleeper(d -> { }).build();
            TransportException e = catchThrowableOfType(TransportException.class, () -> unreachable.leads().partitions());
            seen.add(e.getMessage());
            seen.add(String.valueOf(e.getCause()));
            seen.add(unreachable.diagnose().toString());
        } finally {
            jul.removeHandler(capture);
            jul.setLevel(before);
        }
        String token = server.admin().post("/services/" + service.id() + "/token", Map.of()).json().path("access_token").asString();
        assertThat(token).isNotBlank();
        assertThat(logged).as("the client logs its decisions at DEBUG").isNotEmpty();
        for (String text : concat(seen, logged)) {
            assertThat(text).doesNotContain(service.clientSecret()).doesNotContain(token);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    static <T> List<T> runConcurrently(int threads, Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(task));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
