package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

func TestBlockingReader(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	peer := <-accepted
	if peer == nil {
		t.Fatal("accept failed")
	}
	c := &conn{nc: nc, br: bufio.NewReader(nc)}
	defer c.close()
	if err := c.makeBlocking(50 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	var b [8]byte
	if _, err := c.br.Read(b[:]); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read with nothing sent: %v, want a timeout", err)
	}
	if _, err := peer.Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	if n, err := c.br.Read(b[:]); err != nil || string(b[:n]) != "hi" {
		t.Fatalf("read %q, %v", b[:n], err)
	}
	// Writes still go through the net.Conn.
	if _, err := c.nc.Write([]byte("yo")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(peer, b[:2]); err != nil || string(b[:2]) != "yo" {
		t.Fatalf("peer read %q, %v", b[:2], err)
	}
	peer.Close()
	if _, err := c.br.Read(b[:]); !errors.Is(err, io.EOF) {
		t.Fatalf("read after the peer closed: %v, want EOF", err)
	}
}
