"""The sharer's Qt views: thin widgets over the session engine, through one service object."""
