# Writes the OpenAPI JSON into a C++ string constant (as hex bytes: no escaping issues).
file(READ ${IN} HEX HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," BYTES "${HEX}")
file(WRITE ${OUT} "namespace nt {\nstatic const char kDoc[] = {${BYTES} 0};\nextern const char* const kOpenApiDocument;\nconst char* const kOpenApiDocument = kDoc;\n}\n")
