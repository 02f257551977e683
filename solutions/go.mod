module procdojo/solutions

go 1.26.0
