"""Answering: the address book, and (to come) outgoing documents, approval, sealing,
dispatch through e-Doręczenia, ePUAP and the post, and the outgoing register."""
