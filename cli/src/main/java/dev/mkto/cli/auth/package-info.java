@NullMarked
package dev.mkto.cli.auth;

import org.jspecify.annotations.NullMarked;
