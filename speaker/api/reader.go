package api

import (
	"bufio"
	"context"
	"strings"
)

// Answers written to a process after a command when acknowledgements
// are on (ExaBGP's "done" and "error"; "shutdown" is ExaBGP's answer
// while it stops).
const (
	AnswerDone     = "done"
	AnswerError    = "error"
	AnswerShutdown = "shutdown"
)

var (
	lineDone  = []byte(AnswerDone + "\n")
	lineError = []byte(AnswerError + "\n")
)

// reader reads command lines from the program's standard output until
// it ends, runs them and answers them.
func (p *Process) reader(ctx context.Context, inst *instance, done chan<- struct{}) {
	defer close(done)
	br := bufio.NewReaderSize(inst.stdout, min(p.cfg.MaxLine, 64<<10))
	var long []byte
	tooLong := false
	for {
		frag, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			if !tooLong {
				long = append(long, frag...)
				if len(long) > p.cfg.MaxLine {
					tooLong, long = true, nil
				}
			}
			continue
		}
		if len(frag) > 0 {
			l := frag
			if long != nil {
				l = append(long, frag...)
			}
			if tooLong || len(l) > p.cfg.MaxLine {
				p.commands.Add(1)
				p.errors.Add(1)
				p.log.Warn("command line too long", "max", p.cfg.MaxLine)
				p.answer(inst, false)
			} else {
				p.handle(ctx, inst, string(l))
			}
			long, tooLong = nil, false
		}
		if err != nil {
			return
		}
	}
}

// handle runs one command line.
func (p *Process) handle(ctx context.Context, inst *instance, text string) {
	text = strings.TrimRight(text, "\r\n")
	if strings.TrimSpace(text) == "" {
		return // blank lines are not commands and get no answer
	}
	p.commands.Add(1)
	cmd, err := Parse(text)
	if err == nil {
		switch cmd.Kind {
		case KindEnableAck:
			inst.ack = true
		case KindDisableAck:
			// ExaBGP answers disable-ack itself, then stops answering.
			p.answerForced(inst, true)
			inst.ack = false
			return
		case KindSilenceAck:
			inst.ack = false
			return
		case KindComment:
		default:
			err = p.h.Handle(ctx, p, cmd)
			if err == nil && p.cfg.WithdrawOnExit {
				p.record(&cmd)
			}
		}
	}
	if err != nil {
		p.errors.Add(1)
		p.log.Info("command failed", "command", text, "err", err)
	}
	p.answer(inst, err == nil)
}

// answer queues "done" or "error" when acknowledgements are on.
func (p *Process) answer(inst *instance, ok bool) {
	if inst.ack {
		p.answerForced(inst, ok)
	}
}

func (p *Process) answerForced(inst *instance, ok bool) {
	b := lineError
	if ok {
		b = lineDone
	}
	if !inst.q.pushAnswer(b) {
		p.full(inst)
	}
}
