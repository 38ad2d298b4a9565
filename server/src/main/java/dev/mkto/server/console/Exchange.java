package dev.mkto.server.console;

import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.Router;
import java.util.List;
import java.util.Map;

/** What a console page sees of a request, and what it answers. */
final class Exchange {

    private Exchange() {
    }

    /** A signed-in admin's request: path variables, query, form fields, the session, the site's base URL. */
    record Req(String path, Map<String, String> vars, Map<String, List<String>> query, Map<String, List<String>> form,
               Sessions.Session session, String baseUrl) {

        /** A form field's first value, or null. */
        String field(String name) {
            List<String> v = form.get(name);
            return v == null || v.isEmpty() ? null : v.getFirst();
        }

        /** A form field's value, null when absent or blank. */
        String nonBlank(String name) {
            String v = field(name);
            return v == null || v.isBlank() ? null : v;
        }

        List<String> fields(String name) {
            return form.getOrDefault(name, List.of());
        }

        boolean checked(String name) {
            return form.containsKey(name);
        }

        String queryParam(String name) {
            List<String> v = query.get(name);
            return v == null || v.isEmpty() ? null : v.getFirst();
        }

        long id(String var) {
            try {
                return Long.parseLong(vars.get(var));
            } catch (NumberFormatException e) {
                throw AdminException.notFound("'" + vars.get(var) + "' is not an id");
            }
        }

        String csrf() {
            return session.csrf();
        }
    }

    /** An answer: a page, or a redirect after a change (with a message for the next page). */
    sealed interface Resp {
    }

    record Page(int status, String title, Ui.Section section, List<Object> main) implements Resp {
        static Page ok(String title, Ui.Section section, Object... main) {
            return status(200, title, section, main);
        }

        /** A page; null parts (a section that does not apply) are left out. */
        static Page status(int status, String title, Ui.Section section, Object... main) {
            return new Page(status, title, section, java.util.Arrays.stream(main).filter(java.util.Objects::nonNull).toList());
        }
    }

    record Redirect(String location, String flash) implements Resp {
    }

    /** A console page handler. */
    @FunctionalInterface
    interface Handler {
        Resp handle(Req request);
    }

    /** A group of pages that registers its routes. */
    interface Pages {
        void routes(Router<Handler> router);
    }
}
