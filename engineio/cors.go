package engineio

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const defaultCORSMethods = "GET,HEAD,PUT,PATCH,POST,DELETE"

// applyCORS adds the CORS headers and answers preflight requests (reporting true).
func (s *Server) applyCORS(w http.ResponseWriter, r *http.Request) bool {
	cc := s.cfg.CORS
	h := w.Header()
	origin := r.Header.Get("Origin")
	switch {
	case cc.AllowOrigin != nil:
		if origin != "" && cc.AllowOrigin(origin) {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		h.Add("Vary", "Origin")
	case slices.Contains(cc.Origins, "*") && !cc.Credentials:
		h.Set("Access-Control-Allow-Origin", "*")
	default:
		if origin != "" && (slices.Contains(cc.Origins, "*") || slices.Contains(cc.Origins, origin)) {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		h.Add("Vary", "Origin")
	}
	if cc.Credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if r.Method != http.MethodOptions {
		if len(cc.ExposedHeaders) > 0 {
			h.Set("Access-Control-Expose-Headers", strings.Join(cc.ExposedHeaders, ","))
		}
		return false
	}
	if len(cc.Methods) > 0 {
		h.Set("Access-Control-Allow-Methods", strings.Join(cc.Methods, ","))
	} else {
		h.Set("Access-Control-Allow-Methods", defaultCORSMethods)
	}
	if len(cc.AllowedHeaders) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(cc.AllowedHeaders, ","))
	} else if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
		h.Add("Vary", "Access-Control-Request-Headers")
	}
	if cc.MaxAge > 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(int(cc.MaxAge.Seconds())))
	}
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusNoContent)
	return true
}
