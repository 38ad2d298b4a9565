package dev.mkto.server.http;

/** What an API endpoint does, given an authenticated, admitted call. */
@FunctionalInterface
public interface Operation {
    Reply handle(ApiCall call);
}
