package sioproto

import "strconv"

// AppendPacket appends the text part of p to dst and returns the extended
// buffer. For BINARY_EVENT and BINARY_ACK the attachment count written is
// len(p.Attachments); the attachments themselves are sent separately, each as
// one binary Engine.IO message, right after the text part. AppendPacket does
// not validate p: the caller builds Data with [AppendValue] or from decoded
// JSON.
func AppendPacket(dst []byte, p *Packet) []byte {
	dst = append(dst, '0'+byte(p.Type))
	if p.Type.IsBinary() {
		dst = strconv.AppendInt(dst, int64(len(p.Attachments)), 10)
		dst = append(dst, '-')
	}
	if p.Namespace != "" && p.Namespace != "/" {
		dst = append(dst, p.Namespace...)
		dst = append(dst, ',')
	}
	if p.HasID {
		dst = strconv.AppendUint(dst, p.ID, 10)
	}
	return append(dst, p.Data...)
}
