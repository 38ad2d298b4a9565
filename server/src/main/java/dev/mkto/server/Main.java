package dev.mkto.server;

import dev.mkto.server.config.Logging;
import dev.mkto.server.config.ServerConfig;
import dev.mkto.server.http.AdminException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;

/** {@code bin/mkto-server}: parse the configuration, start, say where to connect, serve until stopped. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        Logging.routeJavaUtilLogging();
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
        // SIGTERM and SIGINT (Ctrl-C) stop it gracefully with exit status 0; any other exit of the JVM
        // still closes the server through the shutdown hook
        CountDownLatch stopRequested = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "mkto-shutdown"));
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stopRequested.countDown());
            } catch (IllegalArgumentException reserved) {
                // -Xrs, or a signal the JVM keeps: the shutdown hook closes the server instead
            }
        }

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
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.close();
        } catch (RuntimeException e) {
            System.err.println("mkto-server: stopping failed: " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }

    /** One plain HTTP/1.1 {@code GET /ping} over a socket: the JDK's HttpClient would cost start-up a third of a second. */
    private static boolean answers(String base) {
        URI uri = URI.create(base);
        String host = uri.getHost().replace("[", "").replace("]", "");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, uri.getPort()), 5000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET /ping HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return status != null && status.startsWith("HTTP/1.1 200 ");
        } catch (IOException e) {
            return false;
        }
    }
}
