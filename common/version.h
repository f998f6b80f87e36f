/*
 * The software's name and version, as the gateway tells the server: the
 * HTTP User-Agent and the check-in's Software element.
 */
#ifndef CALLHOME_VERSION_H
#define CALLHOME_VERSION_H

#define CALLHOME_SOFTWARE	"callhome/0.1"

#endif /* CALLHOME_VERSION_H */
