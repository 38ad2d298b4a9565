package dev.mkto.server;

import dev.mkto.server.config.ServerConfig;
import dev.mkto.server.http.AdminException;
import io.helidon.logging.common.LogConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;

/** {@code bin/mkto-server}: parse the configuration, start, say where to connect, serve until stopped. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime(); // java.util.logging (Helidon's) → SLF4J, per logging.properties
        ServerConfig config;
        try {
            config = ServerConfig.parse(args, System.getenv());
        } catch (ServerConfig.HelpRequested help) {
            System.out.println(help.getMessage());
            return;
        } catch (IllegalArgumentException bad) {
            System.err.println("mkto-server: " + bad.getMessage());
            System.exit(2);
            return;
        }
        MktoServer server;
        try {
            server = MktoServer.start(config, InstantSource.system());
        } catch (MktoServer.StartupException | AdminException e) {
            System.err.println("mkto-server: " + e.getMessage());
            System.exit(1);
            return;
        } catch (RuntimeException e) {
            System.err.println("mkto-server: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "mkto-shutdown"));

        String base = server.baseUrl();
        System.out.println("mkto-server " + ServerConfig.version() + " on port " + server.port()
                + " (instance " + server.munchkinId() + ", " + (config.postgres() ? "PostgreSQL" : "H2 in " + config.dataDir()) + ")");
        System.out.println("  REST endpoint  " + base + "/rest");
        System.out.println("  Identity URL   " + base + "/identity");
        System.out.println("  Admin console  " + base + "/admin");
        System.out.println("  Admin API      " + base + "/admin/api/v1");
        server.generatedAdminToken().ifPresent(token -> {
            System.out.println("  Admin token    " + token);
            System.out.println("                 (shown once: keep it; set MKTO_ADMIN_TOKEN to choose your own)");
        });
        server.generatedCredentials().forEach(g -> System.out.println("  Service '" + g.service() + "': client id "
                + g.clientId() + ", client secret " + g.clientSecret() + " (generated; shown once)"));
        if (answers(base)) {
            System.out.println("ready");
        } else {
            System.err.println("mkto-server: started, but " + base + "/ping does not answer");
        }
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean answers(String base) {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/ping")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }
}
