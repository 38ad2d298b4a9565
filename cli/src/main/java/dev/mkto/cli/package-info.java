/**
 * mkto, the command-line face of the integration side: saved authentications, connection
 * diagnosis, lead import and export, usage, least-privilege plans and the admin API. {@link
 * dev.mkto.cli.Mkto} is the root command; each sub-package holds one domain's commands and the
 * classes that do the work without a terminal.
 */
@NullMarked
package dev.mkto.cli;

import org.jspecify.annotations.NullMarked;
