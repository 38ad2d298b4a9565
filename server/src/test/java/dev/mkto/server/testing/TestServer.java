package dev.mkto.server.testing;

import dev.mkto.server.MktoServer;
import dev.mkto.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An mkto-server started in this JVM on a free port, on a fresh database of the given backend,
 * with a known admin credential and a clock the test controls. Tests talk to it over HTTP only.
 */
public final class TestServer implements AutoCloseable {

    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";

    private final Path dataDir;
    private final Backend.Database database;
    private final MktoServer server;
    private final String dbUrl;
    private final MutableClock clock;
    private final Api api;
    private final AdminClient admin;

    private TestServer(Backend backend, MutableClock clock, List<Path> seeds, Map<String, String> env) {
        try {
            this.dataDir = Files.createTempDirectory("mkto-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.clock = clock;
        this.database = backend.create(dataDir);
        List<String> args = new ArrayList<>(List.of("--port", "0", "--data-dir", dataDir.toString(), "--db-url", database.url()));
        if (!database.user().isEmpty()) {
            args.addAll(List.of("--db-user", database.user()));
        }
        for (Path seed : seeds) {
            args.addAll(List.of("--seed", seed.toString()));
        }
        Map<String, String> environment = new java.util.HashMap<>(env);
        environment.putIfAbsent("MKTO_ADMIN_TOKEN", ADMIN_TOKEN);
        ServerConfig config = ServerConfig.parse(args.toArray(String[]::new), environment);
        this.dbUrl = config.dbUrl();
        this.server = MktoServer.start(config, clock);
        this.api = new Api(server.baseUrl());
        this.admin = new AdminClient(api, ADMIN_TOKEN);
    }

    public static TestServer start(Backend backend) {
        return new TestServer(backend, MutableClock.startingNow(), List.of(), Map.of());
    }

    public static TestServer start(Backend backend, MutableClock clock, List<Path> seeds, Map<String, String> env) {
        return new TestServer(backend, clock, seeds, env);
    }

    public Api api() {
        return api;
    }

    public AdminClient admin() {
        return admin;
    }

    public MutableClock clock() {
        return clock;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The URL the server opened its database with (another connection in this JVM shares that database). */
    public String dbUrl() {
        return dbUrl;
    }

    public Optional<String> generatedAdminToken() {
        return server.generatedAdminToken();
    }

    public MktoServer server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
        database.drop().run();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
